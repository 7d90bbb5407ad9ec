using DeepSharp.Optimizers.Schedules;

namespace DeepSharp.Optimizers;

/// <summary>
/// Keras' Adam: m ← m + (g - m)(1-β₁);  v ← v + (g² - v)(1-β₂);
/// w ← w - α m / (sqrt(v) + ε) with α = lr · sqrt(1-β₂ᵗ) / (1-β₁ᵗ).  Defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-7.
/// With <c>amsgrad</c> the denominator uses v̂ = max(v̂, v), the largest v so far (Keras 3's adam.py).
/// The common arguments (weight decay, clipping, moving average, a schedule as learning rate) are <see cref="Optimizer"/>'s.
/// </summary>
/// <example><code>
/// new Adam(learningRate: 1e-3)
/// new Adam(learningRate: 3e-4, amsgrad: true, clipNorm: 1.0)
/// </code></example>
public sealed class Adam : Optimizer
{
    public Adam(LearningRateSchedule? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null)
        : base(learningRate, 1e-3, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency)
    {
        (_beta1, _beta2) = (beta1, beta2);
        Beta1 = (float)beta1;
        Beta2 = (float)beta2;
        Epsilon = (float)epsilon;
        Amsgrad = amsgrad;
    }

    private readonly double _beta1, _beta2;

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }

    /// <summary>Whether the AMSGrad variant is used (Keras: amsgrad).</summary>
    public bool Amsgrad { get; }

    public override string Name => "adam";
    protected override int SlotCount => Amsgrad ? 3 : 2;
    private protected override int[] SlotGroups => Amsgrad ? [2, 1] : [2];
    private protected override string SlotName(int slot) => AdamStep.SlotName(slot);

    protected override void UpdateStep(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step) =>
        AdamStep.Update(w, g, slots, step, LearningRate, _beta1, _beta2, Epsilon, Amsgrad);

    public override Dictionary<string, object?> GetConfig() => AdamStep.Config(base.GetConfig(), _beta1, _beta2, Epsilon, Amsgrad);
}
