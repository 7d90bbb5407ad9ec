namespace DeepSharp.Regularizers;

/// <summary>
/// Keras' L1L2 regularizer: penalty = l1 · Σ|w| + l2 · Σw². The class defaults are Keras 3's (0 and 0); the name
/// "l1_l2" gives 0.01 and 0.01, as Keras documents it.
/// </summary>
/// <example><code>new Dense(64, kernelRegularizer: new L1L2(l1: 1e-5, l2: 1e-4))</code></example>
public sealed class L1L2(double l1 = 0.0, double l2 = 0.0) : Regularizer
{
    /// <summary>The factor of Σ|w|.</summary>
    public double L1 { get; } = Check(l1, nameof(l1), "L1L2");

    /// <summary>The factor of Σw².</summary>
    public double L2 { get; } = Check(l2, nameof(l2), "L1L2");

    public override double Call(Tensor weights) => L1L2Penalty(weights, L1, L2);

    public override void AddGradient(Tensor weights, Tensor gradient, double scale = 1) => L1L2Gradient(weights, gradient, L1, L2, scale);

    public override Dictionary<string, object?> GetConfig() => new() { ["l1"] = L1, ["l2"] = L2 };
}
