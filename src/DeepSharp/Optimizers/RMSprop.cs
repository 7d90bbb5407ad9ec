namespace DeepSharp.Optimizers;

/// <summary>
/// Keras' RMSprop (epsilon inside the square root, as in Keras and TensorFlow):
///   a ← ρ a + (1-ρ) g²;   w ← w - lr · g / sqrt(a + ε)
/// with momentum m: v ← m v + lr · g / sqrt(a + ε);  w ← w - v.  Defaults: lr 1e-3, ρ 0.9, ε 1e-7.
/// </summary>
/// <example><code>new RMSprop(learningRate: 1e-4)</code></example>
public sealed class RMSprop : Optimizer
{
    public RMSprop(double learningRate = 1e-3, double rho = 0.9, double momentum = 0, double epsilon = 1e-7)
        : base(learningRate)
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

    protected override void UpdateStep(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step) =>
        Backends.Backend.Current.RmsPropUpdate(w, g, slots[0], Momentum > 0 ? slots[1] : null, (float)LearningRate, Rho, Epsilon, Momentum);

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho; c["momentum"] = Momentum; c["epsilon"] = Epsilon;
        return c;
    }
}
