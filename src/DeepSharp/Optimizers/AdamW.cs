using DeepSharp.Optimizers.Schedules;

namespace DeepSharp.Optimizers;

/// <summary>
/// Keras' AdamW: Adam with decoupled weight decay, w ← w - w·weightDecay·lr before each Adam update (Loshchilov and Hutter;
/// Keras 3's adamw.py, the base optimizer's <c>_apply_weight_decay</c>). Defaults: lr 1e-3, weightDecay 0.004, β₁ 0.9,
/// β₂ 0.999, ε 1e-7. Every weight decays, biases included, unless <see cref="Optimizer.ExcludeFromWeightDecay"/> says otherwise.
/// </summary>
/// <example><code>
/// var optimizer = new AdamW(learningRate: 1e-3, weightDecay: 0.004);
/// optimizer.ExcludeFromWeightDecay(varNames: ["bias"]);
/// </code></example>
public sealed class AdamW : Optimizer
{
    public AdamW(LearningRateSchedule? learningRate = null, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        bool amsgrad = false, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
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

    public override string Name => "adamw";
    protected override int SlotCount => Amsgrad ? 3 : 2;
    private protected override int[] SlotGroups => Amsgrad ? [2, 1] : [2];
    private protected override string SlotName(int slot) => AdamStep.SlotName(slot);

    protected override void UpdateStep(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step) =>
        AdamStep.Update(w, g, slots, step, LearningRate, _beta1, _beta2, Epsilon, Amsgrad);

    public override Dictionary<string, object?> GetConfig() => AdamStep.Config(base.GetConfig(), _beta1, _beta2, Epsilon, Amsgrad);
}
