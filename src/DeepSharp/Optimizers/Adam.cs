using System.Runtime.Intrinsics;

namespace DeepSharp.Optimizers;

/// <summary>
/// Keras' Adam: m ← m + (g - m)(1-β₁);  v ← v + (g² - v)(1-β₂);
/// w ← w - α m / (sqrt(v) + ε) with α = lr · sqrt(1-β₂ᵗ) / (1-β₁ᵗ).  Defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-7.
/// </summary>
/// <example><code>new Adam(learningRate: 1e-3f)</code></example>
public sealed class Adam : Optimizer
{
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f) : base(learningRate)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public override string Name => "adam";
    protected override int SlotCount => 2;

    protected override unsafe void UpdateStep(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step)
    {
        float alpha = (float)(LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step)));
        float b1 = 1 - Beta1, b2 = 1 - Beta2, eps = Epsilon;
        fixed (float* pw = w, pg = g, pm = slots[0], pv = slots[1])
        {
            nint w0 = (nint)pw, g0 = (nint)pg, m0 = (nint)pm, v0 = (nint)pv;
            UpdateLoop.Run(w.Length, (i0, i1) => Update((float*)w0, (float*)g0, (float*)m0, (float*)v0, i0, i1, alpha, b1, b2, eps));
        }
    }

    /// <summary>The update on [i0, i1): vectors of 16, then scalars, with the same operations in the same order.</summary>
    private static unsafe void Update(float* w, float* g, float* m, float* v, int i0, int i1, float alpha, float b1, float b2, float eps)
    {
        int i = i0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= i1; i += 16)
            {
                var gi = Vector512.Load(g + i);
                var mi = Vector512.Load(m + i);
                mi += (gi - mi) * Vector512.Create(b1);
                mi.Store(m + i);
                var vi = Vector512.Load(v + i);
                vi += (gi * gi - vi) * Vector512.Create(b2);
                vi.Store(v + i);
                (Vector512.Load(w + i) - Vector512.Create(alpha) * mi / (Vector512.Sqrt(vi) + Vector512.Create(eps))).Store(w + i);
            }
        for (; i < i1; i++)
        {
            m[i] += (g[i] - m[i]) * b1;
            v[i] += (g[i] * g[i] - v[i]) * b2;
            w[i] -= alpha * m[i] / (MathF.Sqrt(v[i]) + eps);
        }
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1; c["beta_2"] = Beta2; c["epsilon"] = Epsilon;
        return c;
    }
}
