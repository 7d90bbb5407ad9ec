
namespace DeepSharp.Layers;

/// <summary>The activations layers accept as typed values (Keras: <c>keras.activations.relu</c>, ...).</summary>
/// <remarks>
/// By name: "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "gelu_approximate", "silu" (alias "swish"),
/// "softplus", "hard_sigmoid", "sigmoid", "tanh", "softmax", "linear".
/// </remarks>
/// <example><code>
/// new Conv2D(32, 3, activation: Activations.Relu)
/// new Dense(64, activation: "gelu")
/// </code></example>
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

    /// <summary>min(max(x, 0), 6).</summary>
    public static ActivationKind Relu6 => ActivationKind.Relu6;

    /// <summary>x for x &gt; 0, 0.2·x otherwise (Keras 3's <c>leaky_relu</c> default slope).</summary>
    public static ActivationKind LeakyRelu => ActivationKind.LeakyRelu;

    /// <summary>x for x &gt; 0, exp(x) - 1 otherwise (alpha 1).</summary>
    public static ActivationKind Elu => ActivationKind.Elu;

    /// <summary>Scaled ELU: 1.0507·(x for x &gt; 0, 1.6733·(exp(x) - 1) otherwise).</summary>
    public static ActivationKind Selu => ActivationKind.Selu;

    /// <summary>x·Φ(x) with the exact normal CDF (Keras' default approximate=False).</summary>
    public static ActivationKind Gelu => ActivationKind.Gelu;

    /// <summary>GELU's tanh approximation (Keras' <c>gelu(x, approximate=True)</c>).</summary>
    public static ActivationKind GeluApproximate => ActivationKind.GeluApproximate;

    /// <summary>x·sigmoid(x).</summary>
    public static ActivationKind Silu => ActivationKind.Silu;

    /// <summary>x·sigmoid(x) (Keras' alias of silu).</summary>
    public static ActivationKind Swish => ActivationKind.Silu;

    /// <summary>log(1 + exp(x)).</summary>
    public static ActivationKind Softplus => ActivationKind.Softplus;

    /// <summary>relu6(x + 3) / 6 (Keras 3's hard_sigmoid).</summary>
    public static ActivationKind HardSigmoid => ActivationKind.HardSigmoid;
}
