namespace DeepSharp.Regularizers;

/// <summary>Keras' L1 regularizer: penalty = l1 · Σ|w| (default l1 0.01); its gradient l1·sign(w), 0 at 0.</summary>
/// <example><code>new Dense(64, kernelRegularizer: new L1(1e-4))</code></example>
public sealed class L1(double l1 = 0.01) : Regularizer
{
    /// <summary>The factor of Σ|w|.</summary>
    public double Factor { get; } = Check(l1, nameof(l1), "L1");

    public override double Call(Tensor weights) => L1L2Penalty(weights, Factor, 0);

    public override void AddGradient(Tensor weights, Tensor gradient, double scale = 1) => L1L2Gradient(weights, gradient, Factor, 0, scale);

    public override Dictionary<string, object?> GetConfig() => new() { ["l1"] = Factor };
}
