namespace DeepSharp.Layers;

/// <summary>
/// A placeholder for a layer's output while building a functional model (Keras: KerasTensor).
/// It holds the per-sample shape (no batch axis) and how it was computed.
/// </summary>
/// <example><code>
/// var inputs = new Input(28, 28, 1);
/// var x = new Conv2D(32, (3, 3), activation: "relu").Call(inputs);
/// var model = new Model(inputs, new Dense(10, activation: "softmax").Call(new Flatten().Call(x)));
/// </code></example>
public class SymbolicTensor
{
    internal SymbolicTensor(int[] shape, Layer? producer, SymbolicTensor[] inputs)
    {
        Shape = shape;
        Producer = producer;
        Inputs = inputs;
    }

    /// <summary>The per-sample shape, e.g. (26, 26, 32).</summary>
    public int[] Shape { get; }

    /// <summary>The layer that computes it (null for an <see cref="Input"/>).</summary>
    public Layer? Producer { get; }

    /// <summary>The producer's inputs.</summary>
    public SymbolicTensor[] Inputs { get; }

    /// <summary>The mode fixed by <c>Layer.Call(x, training: ...)</c>; null follows the model (training in Fit).</summary>
    internal bool? Training { get; init; }

    public override string ToString() => $"SymbolicTensor(None, {string.Join(", ", Shape)}) from {Producer?.Name ?? "input"}";
}
