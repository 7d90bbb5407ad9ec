using DeepSharp.Optimizers.Schedules;

namespace DeepSharp.Optimizers;

/// <summary>
/// Keras' Nadam (Adam with Nesterov momentum and Dozat's momentum schedule, Keras 3's nadam.py). With
/// u(t) = β₁(1 - ½·0.96ᵗ) and Π(t) = u(1)·…·u(t):  m ← m + (g - m)(1-β₁);  v ← v + (g² - v)(1-β₂);
/// m̂ = u(t+1)·m / (1 - Π(t+1)) + (1 - u(t))·g / (1 - Π(t));  v̂ = v / (1 - β₂ᵗ);  w ← w - lr·m̂ / (sqrt(v̂) + ε).
/// Defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-7. (PyTorch's NAdam is the same with momentum_decay=1.)
/// </summary>
/// <example><code>new Nadam(learningRate: 2e-3)</code></example>
public sealed class Nadam : Optimizer
{
    private double _uProduct = 1;

    public Nadam(LearningRateSchedule? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null)
        : base(learningRate, 1e-3, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency)
    {
        Beta1 = (float)beta1;
        Beta2 = (float)beta2;
        Epsilon = (float)epsilon;
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public override string Name => "nadam";
    protected override int SlotCount => 2;
    private protected override string SlotName(int slot) => slot == 0 ? "momentum" : "velocity";

    /// <summary>Keras' <c>_u_product</c>, advanced once per step before the updates.</summary>
    private protected override void BeginStep(long step) => _uProduct *= U(step);

    internal override IReadOnlyList<(string What, Func<double> Get, Action<double> Set)> StateScalars =>
        [("u_product", () => _uProduct, v => _uProduct = v)];

    private double U(long t) => Beta1 * (1 - 0.5 * Math.Pow(0.96, t));

    protected override void UpdateStep(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step)
    {
        double uT = U(step), uNext = U(step + 1), productNext = _uProduct * uNext;
        double c1 = uNext / (1 - productNext), c2 = (1 - uT) / (1 - _uProduct), bc2 = 1 - Math.Pow(Beta2, step);
        Backends.Backend.Current.NadamUpdate(w, g, slots[0], slots[1], (float)LearningRate, 1 - Beta1, 1 - Beta2, (float)c1, (float)c2, (float)bc2, Epsilon);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon;
        return c;
    }
}
