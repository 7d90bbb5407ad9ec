namespace DeepSharp.Optimizers;

/// <summary>
/// Keras' RMSprop (epsilon inside the square root, as in Keras and TensorFlow):
///   a ← ρ a + (1-ρ) g²;   w ← w - lr · g / sqrt(a + ε)
/// with momentum m: v ← m v + lr · g / sqrt(a + ε);  w ← w - v.  Defaults: lr 1e-3, ρ 0.9, ε 1e-7.
/// </summary>
/// <example><code>new RMSprop(learningRate: 1e-4f)</code></example>
public sealed class RMSprop : Optimizer
{
    public RMSprop(float learningRate = 1e-3f, float rho = 0.9f, float momentum = 0f, float epsilon = 1e-7f)
        : base(learningRate)
    {
        Rho = rho;
        Momentum = momentum;
        Epsilon = epsilon;
    }

    public float Rho { get; }
    public float Momentum { get; }
    public float Epsilon { get; }
    public override string Name => "rmsprop";
    protected override int SlotCount => Momentum > 0 ? 2 : 1;

    protected override void UpdateStep(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step)
    {
        var a = slots[0];
        float lr = LearningRate, rho = Rho, eps = Epsilon;
        if (Momentum > 0)
        {
            var v = slots[1];
            for (int i = 0; i < w.Length; i++)
            {
                a[i] = rho * a[i] + (1 - rho) * g[i] * g[i];
                v[i] = Momentum * v[i] + lr * g[i] / MathF.Sqrt(a[i] + eps);
                w[i] -= v[i];
            }
            return;
        }
        for (int i = 0; i < w.Length; i++)
        {
            a[i] = rho * a[i] + (1 - rho) * g[i] * g[i];
            w[i] -= lr * g[i] / MathF.Sqrt(a[i] + eps);
        }
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho; c["momentum"] = Momentum; c["epsilon"] = Epsilon;
        return c;
    }
}
