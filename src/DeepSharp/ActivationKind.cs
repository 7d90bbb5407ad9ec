namespace DeepSharp;

/// <summary>
/// The activations Keras knows by name (<c>keras.activations</c>), with Keras 3's defaults: leaky_relu's negative slope
/// 0.2, elu's alpha 1, gelu's exact erf form (<see cref="GeluApproximate"/> is its tanh approximation),
/// hard_sigmoid = relu6(x + 3) / 6.
/// </summary>
public enum ActivationKind
{
    /// <summary>No activation: x ("linear").</summary>
    Linear,

    /// <summary>max(x, 0) ("relu").</summary>
    Relu,

    /// <summary>1 / (1 + exp(-x)) ("sigmoid").</summary>
    Sigmoid,

    /// <summary>tanh(x) ("tanh").</summary>
    Tanh,

    /// <summary>exp(x) / Σ exp(x) over the last axis ("softmax").</summary>
    Softmax,

    /// <summary>min(max(x, 0), 6) ("relu6").</summary>
    Relu6,

    /// <summary>x for x &gt; 0, 0.2·x otherwise ("leaky_relu", Keras 3's default negative_slope 0.2).</summary>
    LeakyRelu,

    /// <summary>x for x &gt; 0, exp(x) - 1 otherwise ("elu", alpha 1).</summary>
    Elu,

    /// <summary>scale·elu(x, alpha) with alpha = 1.67326324, scale = 1.05070098 ("selu").</summary>
    Selu,

    /// <summary>x·Φ(x) = 0.5·x·(1 + erf(x/√2)) ("gelu": Keras' default approximate=False).</summary>
    Gelu,

    /// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (Keras' gelu with approximate=True; saved as "gelu_approximate", a DeepSharp name).</summary>
    GeluApproximate,

    /// <summary>x·sigmoid(x) ("silu", alias "swish").</summary>
    Silu,

    /// <summary>log(1 + exp(x)) ("softplus").</summary>
    Softplus,

    /// <summary>relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1) ("hard_sigmoid", Keras 3's formula).</summary>
    HardSigmoid,
}
