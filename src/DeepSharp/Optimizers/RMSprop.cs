using DeepSharp.Optimizers.Schedules;

namespace DeepSharp.Optimizers;

/// <summary>
/// Keras' RMSprop (epsilon inside the square root, as in Keras and TensorFlow):
///   a ← ρ a + (1-ρ) g²;   w ← w - lr · g / sqrt(a + ε)
/// with momentum m: v ← m v + lr · g / sqrt(a + ε);  w ← w - v.  Defaults: lr 1e-3, ρ 0.9, ε 1e-7.
/// </summary>
/// <example><code>new RMSprop(learningRate: 1e-4)</code></example>
public sealed class RMSprop : Optimizer
{
    public RMSprop(LearningRateSchedule? learningRate = null, double rho = 0.9, double momentum = 0, double epsilon = 1e-7,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null)
        : base(learningRate, 1e-3, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency)
    {
        Rho = (float)rho;
        Momentum = (float)momentum;
        Epsilon = (float)epsilon;
    }

    public float Rho { get; }
    public float Momentum { get; }
    public float Epsilon { get; }
    public override string Name => "rmsprop";
    protected override int SlotCount => Momentum > 0 ? 2 : 1;
    private protected override int[] SlotGroups => Momentum > 0 ? [1, 1] : [1];   // all velocities, then all momentums
    private protected override string SlotName(int slot) => slot == 0 ? "velocity" : "momentum";

    protected override void UpdateStep(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step) =>
        Backends.Backend.Current.RmsPropUpdate(w, g, slots[0], Momentum > 0 ? slots[1] : null, (float)LearningRate, Rho, Epsilon, Momentum);

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho; c["momentum"] = Momentum; c["epsilon"] = Epsilon; c["centered"] = false;
        return c;
    }
}
