namespace DeepSharp.Regularizers;

/// <summary>Keras' L2 regularizer: penalty = l2 · Σw² (default l2 0.01; no ½); its gradient 2·l2·w.</summary>
/// <example><code>new Conv2D(32, (3, 3), kernelRegularizer: new L2(0.001))</code></example>
public sealed class L2(double l2 = 0.01) : Regularizer
{
    /// <summary>The factor of Σw².</summary>
    public double Factor { get; } = Check(l2, nameof(l2), "L2");

    public override double Call(Tensor weights) => L1L2Penalty(weights, 0, Factor);

    public override void AddGradient(Tensor weights, Tensor gradient, double scale = 1) => L1L2Gradient(weights, gradient, 0, Factor, scale);

    public override Dictionary<string, object?> GetConfig() => new() { ["l2"] = Factor };
}
