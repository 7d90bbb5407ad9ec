namespace DeepSharp.Backends.Reference;

/// <summary>
/// The elementwise activations in double, written from their definitions (Keras 3, <c>keras/src/backend/numpy/nn.py</c>)
/// with no shared code with the CPU backend: erf here is its Maclaurin-type series and Laplace's continued fraction
/// (the CPU backend uses a Chebyshev fit), so the parity tests compare two independent computations.
/// </summary>
internal sealed partial class ReferenceBackend
{
    private const double SeluAlpha = 1.6732632423543772848170429916717, SeluScale = 1.0507009873554804934193349852946;

    private static double ActivationValue(ActivationKind kind, double x) => kind switch
    {
        ActivationKind.Linear => x,
        ActivationKind.Relu => Math.Max(x, 0),
        ActivationKind.Sigmoid => Sigmoid(x),
        ActivationKind.Tanh => Math.Tanh(x),
        ActivationKind.Relu6 => Math.Min(Math.Max(x, 0), 6),
        ActivationKind.LeakyRelu => x > 0 ? x : 0.2 * x,
        ActivationKind.Elu => x > 0 ? x : Math.Exp(x) - 1,
        ActivationKind.Selu => x > 0 ? SeluScale * x : SeluScale * SeluAlpha * (Math.Exp(x) - 1),
        ActivationKind.Gelu => x * NormalCdf(x),
        ActivationKind.GeluApproximate => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * Math.Pow(x, 3)))),
        ActivationKind.Silu => x * Sigmoid(x),
        ActivationKind.Softplus => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x)),
        ActivationKind.HardSigmoid => x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no elementwise form"),
    };

    /// <summary>d act / dx at x (the kinds whose derivative the output does not give).</summary>
    private static double ActivationDerivative(ActivationKind kind, double x)
    {
        switch (kind)
        {
            case ActivationKind.Relu6: return x > 0 && x < 6 ? 1 : 0;
            case ActivationKind.LeakyRelu: return x > 0 ? 1 : 0.2;
            case ActivationKind.Elu: return x > 0 ? 1 : Math.Exp(x);
            case ActivationKind.Selu: return x > 0 ? SeluScale : SeluScale * SeluAlpha * Math.Exp(x);
            case ActivationKind.Gelu: return NormalCdf(x) + x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
            case ActivationKind.GeluApproximate:
                double c = Math.Sqrt(2 / Math.PI), t = Math.Tanh(c * (x + 0.044715 * Math.Pow(x, 3)));
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
            case ActivationKind.Silu: return Sigmoid(x) + x * Sigmoid(x) * (1 - Sigmoid(x));
            case ActivationKind.Softplus: return Sigmoid(x);
            case ActivationKind.HardSigmoid: return x > -3 && x < 3 ? 1.0 / 6 : 0;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "no elementwise derivative");
        }
    }

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>Φ(x) = (1 + erf(x/√2)) / 2, as erfc(|x|/√2)/2 in the tail that is small.</summary>
    internal static double NormalCdf(double x)
    {
        double z = Math.Abs(x) / Math.Sqrt(2);
        double upper = z < 3 ? 1 - Erf(z) : Erfc(z);   // erfc(z) = 1 - erf(z), z ≥ 0
        return x >= 0 ? 1 - 0.5 * upper : 0.5 * upper;
    }

    /// <summary>erf(z) for z ≥ 0 by the all-positive series erf(z) = 2/√π · e^{-z²} · Σ_n (2z²)^n z / (1·3·…·(2n+1)).</summary>
    internal static double Erf(double z)
    {
        double term = z, sum = z;
        for (int n = 1; n < 500 && term > 1e-17 * sum; n++)
        {
            term *= 2 * z * z / (2 * n + 1);
            sum += term;
        }
        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-z * z) * sum;
    }

    /// <summary>
    /// erfc(z) for z ≥ 3 by Laplace's continued fraction erfc(z) = e^{-z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))),
    /// evaluated from the tail (200 levels: far past convergence for z ≥ 3).
    /// </summary>
    internal static double Erfc(double z)
    {
        double f = z;
        for (int k = 200; k >= 1; k--) f = z + k / 2.0 / f;
        return Math.Exp(-z * z) / Math.Sqrt(Math.PI) / f;
    }
}
