using DeepSharp.Backends.Cpu;

namespace DeepSharp.Layers;

/// <summary>The activations layers accept as typed values (Keras: <c>keras.activations.relu</c>, ...).</summary>
/// <example><code>new Conv2D(32, 3, activation: Activations.Relu)</code></example>
public static class Activations
{
    /// <summary>max(x, 0).</summary>
    public static ActivationKind Relu => ActivationKind.Relu;

    /// <summary>1 / (1 + exp(-x)).</summary>
    public static ActivationKind Sigmoid => ActivationKind.Sigmoid;

    /// <summary>tanh(x).</summary>
    public static ActivationKind Tanh => ActivationKind.Tanh;

    /// <summary>exp(x) / Σ exp(x) over the last axis.</summary>
    public static ActivationKind Softmax => ActivationKind.Softmax;

    /// <summary>No activation: x.</summary>
    public static ActivationKind Linear => ActivationKind.Linear;
}
