namespace DeepSharp.Optimizers;

/// <summary>
/// Keras' Adam: m ← m + (g - m)(1-β₁);  v ← v + (g² - v)(1-β₂);
/// w ← w - α m / (sqrt(v) + ε) with α = lr · sqrt(1-β₂ᵗ) / (1-β₁ᵗ).  Defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-7.
/// </summary>
/// <example><code>new Adam(learningRate: 1e-3)</code></example>
public sealed class Adam : Optimizer
{
    public Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7) : base(learningRate)
    {
        Beta1 = (float)beta1;
        Beta2 = (float)beta2;
        Epsilon = (float)epsilon;
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public override string Name => "adam";
    protected override int SlotCount => 2;

    protected override void UpdateStep(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step)
    {
        float alpha = (float)((float)LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step)));
        Backends.Backend.Current.AdamUpdate(w, g, slots[0], slots[1], alpha, 1 - Beta1, 1 - Beta2, Epsilon);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon;
        return c;
    }
}
