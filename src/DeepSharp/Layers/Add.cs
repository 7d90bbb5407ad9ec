using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Adds same-shape inputs elementwise: the join of a residual connection.</summary>
/// <example><code>var y = new Add().Call(x, shortcut);</code></example>
public sealed class Add(string? name = null) : Layer(name), ILayerFromConfig<Add>
{
    /// <summary>Rebuilds an Add layer from its Keras config.</summary>
    public static Add FromConfig(LayerConfig c) => new(c.Name);

    private Tensor? _y;

    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count < 2)
            throw new ArgumentException($"Add '{Name}' needs at least two inputs, got {inputShapes.Count}.");
        for (int i = 1; i < inputShapes.Count; i++)
            if (!inputShapes[i].SequenceEqual(inputShapes[0]))
                throw new ArgumentException($"Add '{Name}': input {i} has shape (None, {string.Join(", ", inputShapes[i])}) but input 0 has (None, {string.Join(", ", inputShapes[0])}). All inputs must have the same shape; use a 1×1 Conv2D on the shortcut to match channels.");
        return inputShapes[0];
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        if (InputGradients.Length != inputs.Count) InputGradients = new Tensor?[inputs.Count];
        Tensor.Ensure(ref _y, inputs[0].Shape);
        Backend.Current.Add(inputs, _y!);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        for (int i = 0; i < InputGradients.Length; i++) InputGradients[i] = needInputGradients ? dy : null;
    }
}
