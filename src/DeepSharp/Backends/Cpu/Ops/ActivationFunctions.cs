namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Keras 3's other elementwise activations (<c>keras/src/backend/numpy/nn.py</c>), one value at a time in double:
/// <code>
/// relu6        y = min(max(x, 0), 6)                      y' = [0 &lt; x &lt; 6]
/// leaky_relu   y = x &gt; 0 ? x : 0.2·x                       y' = x &gt; 0 ? 1 : 0.2
/// elu          y = x &gt; 0 ? x : exp(x) - 1                  y' = x &gt; 0 ? 1 : exp(x)
/// selu         y = s·(x &gt; 0 ? x : a·(exp(x) - 1))           y' = s·(x &gt; 0 ? 1 : a·exp(x))     a = 1.6732632, s = 1.0507010
/// gelu         y = x·Φ(x), Φ(x) = erfc(-x/√2)/2            y' = Φ(x) + x·φ(x),  φ(x) = exp(-x²/2)/√(2π)
/// gelu (tanh)  y = x/2·(1 + t), t = tanh(c·(x + 0.044715x³)), c = √(2/π)
///                                                          y' = (1 + t)/2 + x/2·(1 - t²)·c·(1 + 3·0.044715x²)
/// silu         y = x·σ(x)                                  y' = σ(x)·(1 + x·(1 - σ(x)))
/// softplus     y = max(x, 0) + log1p(exp(-|x|))            y' = σ(x)
/// hard_sigmoid y = clip(x/6 + 1/2, 0, 1)                   y' = [-3 &lt; x &lt; 3] / 6
/// </code>
/// erfc is Numerical Recipes' Chebyshev fit <c>erfcc</c> (fractional error below 1.2e-7 everywhere, so Φ keeps float
/// precision deep in the left tail, where gelu's output is tiny).
/// </summary>
internal static class ActivationFunctions
{
    internal const double SeluAlpha = 1.6732632423543772848170429916717, SeluScale = 1.0507009873554804934193349852946;
    internal const double LeakySlope = 0.2;
    private const double InvSqrt2 = 0.70710678118654752440, InvSqrt2Pi = 0.39894228040143267794, SqrtTwoOverPi = 0.79788456080286535588, GeluCubic = 0.044715;

    public static void Forward(ActivationKind kind, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = (float)Value(kind, x[i]);
    }

    /// <summary>dx = dy·act'(x); dy and dx may be the same span.</summary>
    public static void Backward(ActivationKind kind, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++) dx[i] = (float)(dy[i] * Derivative(kind, x[i]));
    }

    private static double Value(ActivationKind kind, double x) => kind switch
    {
        ActivationKind.Relu6 => Math.Min(Math.Max(x, 0), 6),
        ActivationKind.LeakyRelu => x > 0 ? x : LeakySlope * x,
        ActivationKind.Elu => x > 0 ? x : Math.Exp(x) - 1,
        ActivationKind.Selu => SeluScale * (x > 0 ? x : SeluAlpha * (Math.Exp(x) - 1)),
        ActivationKind.Gelu => x * Phi(x),
        ActivationKind.GeluApproximate => 0.5 * x * (1 + Math.Tanh(SqrtTwoOverPi * (x + GeluCubic * x * x * x))),
        ActivationKind.Silu => x * Sigmoid(x),
        ActivationKind.Softplus => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x))),
        ActivationKind.HardSigmoid => Math.Clamp(x / 6 + 0.5, 0, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an elementwise activation of this table"),
    };

    private static double Derivative(ActivationKind kind, double x)
    {
        switch (kind)
        {
            case ActivationKind.Relu6: return x > 0 && x < 6 ? 1 : 0;
            case ActivationKind.LeakyRelu: return x > 0 ? 1 : LeakySlope;
            case ActivationKind.Elu: return x > 0 ? 1 : Math.Exp(x);
            case ActivationKind.Selu: return SeluScale * (x > 0 ? 1 : SeluAlpha * Math.Exp(x));
            case ActivationKind.Gelu: return Phi(x) + x * InvSqrt2Pi * Math.Exp(-0.5 * x * x);
            case ActivationKind.GeluApproximate:
                double t = Math.Tanh(SqrtTwoOverPi * (x + GeluCubic * x * x * x));
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SqrtTwoOverPi * (1 + 3 * GeluCubic * x * x);
            case ActivationKind.Silu:
                double s = Sigmoid(x);
                return s * (1 + x * (1 - s));
            case ActivationKind.Softplus: return Sigmoid(x);
            case ActivationKind.HardSigmoid: return x > -3 && x < 3 ? 1.0 / 6 : 0;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an elementwise activation of this table");
        }
    }

    /// <summary>log(1 + a) for 0 ≤ a ≤ 1, exact to double precision also where 1 + a rounds to 1.</summary>
    private static double Log1p(double a) => a < 1e-8 ? a - 0.5 * a * a : Math.Log(1 + a);

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>The standard normal CDF Φ(x) = erfc(-x/√2) / 2.</summary>
    private static double Phi(double x) => 0.5 * Erfc(-x * InvSqrt2);

    /// <summary>erfc(z), Numerical Recipes (2nd ed., §6.2) <c>erfcc</c>: fractional error &lt; 1.2e-7.</summary>
    internal static double Erfc(double z)
    {
        double a = Math.Abs(z), t = 1 / (1 + 0.5 * a);
        double r = t * Math.Exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return z >= 0 ? r : 2 - r;
    }
}
