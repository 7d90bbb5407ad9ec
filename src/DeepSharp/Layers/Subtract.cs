using System.Numerics.Tensors;

using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Subtracts its second input from its first (same shapes), as Keras' Subtract.</summary>
/// <example><code>var diff = new Subtract().Call(a, b);</code></example>
public sealed class Subtract(string? name = null) : Layer(name), ILayerFromConfig<Subtract>
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Subtract FromConfig(LayerConfig c) => new(c.Name);

    private Tensor? _y, _negDy;

    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count != 2)
            throw new ArgumentException($"Subtract '{Name}' takes exactly two inputs, got {inputShapes.Count}.");
        if (!inputShapes[0].SequenceEqual(inputShapes[1]))
            throw new ArgumentException($"Subtract '{Name}': inputs have shapes (None, {string.Join(", ", inputShapes[0])}) and (None, {string.Join(", ", inputShapes[1])}); they must be equal.");
        return inputShapes[0];
    }

    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        if (InputGradients.Length != 2) InputGradients = new Tensor?[2];
        Tensor.Ensure(ref _y, inputs[0].Shape);
        TensorPrimitives.Subtract(inputs[0].Span, inputs[1].Span, _y!.Span);
        return _y;
    }

    /// <summary>d(a - b)/da = 1, d/db = -1.</summary>
    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradients[0] = InputGradients[1] = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _negDy, dy.Shape);
        TensorPrimitives.Negate(dy.Span, _negDy!.Span);
        InputGradients[0] = dy;
        InputGradients[1] = _negDy;
    }
}
