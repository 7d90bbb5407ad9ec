using DeepSharp.Optimizers.Schedules;

namespace DeepSharp.Optimizers;

/// <summary>
/// Keras' SGD: without momentum w ← w - lr·g; with momentum m: v ← m v - lr g, then
/// w ← w + v, or with Nesterov w ← w + m v - lr g.  Default lr 0.01.
/// </summary>
/// <example><code>new SGD(learningRate: 0.01, momentum: 0.9, nesterov: true)</code></example>
public sealed class SGD : Optimizer
{
    public SGD(LearningRateSchedule? learningRate = null, double momentum = 0, bool nesterov = false,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null)
        : base(learningRate, 0.01, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency)
    {
        if (momentum < 0 || momentum > 1) throw new ArgumentOutOfRangeException(nameof(momentum), $"SGD: momentum must be in [0, 1], got {momentum}.");
        Momentum = (float)momentum;
        Nesterov = nesterov;
    }

    public float Momentum { get; }
    public bool Nesterov { get; }
    public override string Name => "sgd";
    protected override int SlotCount => Momentum > 0 ? 1 : 0;
    private protected override string SlotName(int slot) => "momentum";

    protected override void UpdateStep(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step) =>
        Backends.Backend.Current.SgdUpdate(w, g, Momentum > 0 ? slots[0] : null, (float)LearningRate, Momentum, Nesterov);

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["momentum"] = Momentum; c["nesterov"] = Nesterov;
        return c;
    }
}
