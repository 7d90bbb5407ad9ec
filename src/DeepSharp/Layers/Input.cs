namespace DeepSharp.Layers;

/// <summary>The entry point of a functional model: the shape of one sample, channels last.</summary>
/// <example><code>
/// var inputs = new Input(150, 150, 3);
/// var images = new Input((150, 150, 3), name: "images");   // the name shows in Summary() and in saved files
/// </code></example>
public sealed class Input : SymbolicTensor
{
    public Input(params int[] shape) : base(Check(shape), null, []) { }

    /// <summary>Keras-style tuple shape: new Input((28, 28, 1)).</summary>
    public Input((int H, int W, int C) shape) : this(shape.H, shape.W, shape.C) { }

    /// <summary>Keras-style tuple shape with a name: new Input((28, 28, 1), name: "digits").</summary>
    public Input((int H, int W, int C) shape, string? name) : this(shape.H, shape.W, shape.C) => Name = CheckName(name);

    /// <summary>A shape with a name: new Input([28, 28, 1], name: "digits").</summary>
    public Input(int[] shape, string? name) : this(shape) => Name = CheckName(name);

    /// <summary>The name of the input layer, in Summary() and in saved files ("input_layer" by default, as Keras names it).</summary>
    public string Name { get; init; } = "input_layer";

    private static string CheckName(string? name) => name is null ? "input_layer"
        : string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("Input name must not be empty or blank; pass null for the default \"input_layer\".", nameof(name))
        : name;

    private static int[] Check(int[] shape)
    {
        if (shape.Length == 0 || shape.Any(d => d <= 0))
            throw new ArgumentException($"Input shape {Tensor.FormatShape(shape)} is not valid: give the size of one sample, every dimension positive, e.g. new Input(28, 28, 1).");
        return shape;
    }
}
