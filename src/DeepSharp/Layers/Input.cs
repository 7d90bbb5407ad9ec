namespace DeepSharp.Layers;

/// <summary>The entry point of a functional model: the shape of one sample, channels last.</summary>
/// <example><code>var inputs = new Input(150, 150, 3);</code></example>
public sealed class Input : SymbolicTensor
{
    public Input(params int[] shape) : base(Check(shape), null, []) { }

    /// <summary>Keras-style tuple shape: new Input((28, 28, 1)).</summary>
    public Input((int H, int W, int C) shape) : this(shape.H, shape.W, shape.C) { }

    /// <summary>The name the input layer has in the summary.</summary>
    public string Name { get; init; } = "input_layer";

    private static int[] Check(int[] shape)
    {
        if (shape.Length == 0 || shape.Any(d => d <= 0))
            throw new ArgumentException($"Input shape {Tensor.FormatShape(shape)} is not valid: give the size of one sample, every dimension positive, e.g. new Input(28, 28, 1).");
        return shape;
    }
}
