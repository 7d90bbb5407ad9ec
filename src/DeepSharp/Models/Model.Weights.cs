using DeepSharp.Layers;

namespace DeepSharp.Models;

public partial class Model
{
    /// <summary>A model's Keras weights: its layers' weights in <see cref="Layers"/> order (Keras' <c>model.weights</c>).</summary>
    internal override IReadOnlyList<Parameter> KerasWeights => Layers.SelectMany(l => l.KerasWeights).ToList();
}
