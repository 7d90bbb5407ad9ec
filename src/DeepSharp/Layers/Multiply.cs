using DeepSharp.Backends;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Multiplies its inputs elementwise (same shapes), as Keras' Multiply.</summary>
/// <example><code>var gated = new Multiply().Call(features, gate);</code></example>
public sealed class Multiply(string? name = null) : Layer(name), ILayerFromConfig<Multiply>
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Multiply FromConfig(LayerConfig c) => new(c.Name);

    private Tensor? _y;
    private Tensor?[] _dx = [];
    private Tensor[] _x = [];

    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count < 2)
            throw new ArgumentException($"Multiply '{Name}' needs at least two inputs, got {inputShapes.Count}.");
        for (int i = 1; i < inputShapes.Count; i++)
            if (!inputShapes[i].SequenceEqual(inputShapes[0]))
                throw new ArgumentException($"Multiply '{Name}': input {i} has shape (None, {string.Join(", ", inputShapes[i])}) but input 0 has (None, {string.Join(", ", inputShapes[0])}); they must be equal.");
        return inputShapes[0];
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        if (InputGradients.Length != inputs.Count) { InputGradients = new Tensor?[inputs.Count]; _dx = new Tensor?[inputs.Count]; _x = new Tensor[inputs.Count]; }
        Tensor.Ensure(ref _y, inputs[0].Shape);
        Backend.Current.Multiply(inputs, _y!);
        for (int i = 0; i < inputs.Count; i++) _x[i] = inputs[i];
        return _y;
    }

    /// <summary>dx_i = dy ⊙ Π_{j≠i} x_j.</summary>
    public override void Backward(Tensor dy, bool needInputGradients)
    {
        for (int i = 0; i < _x.Length; i++)
        {
            InputGradients[i] = null;
            if (!needInputGradients) continue;
            var d = Tensor.Ensure(ref _dx[i], dy.Shape);
            Backend.Current.MultiplyBackward(_x, i, dy, d);
            InputGradients[i] = d;
        }
    }
}
