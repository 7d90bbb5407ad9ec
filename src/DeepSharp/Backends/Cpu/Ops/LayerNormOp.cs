using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Layer normalization over the last D values of each row (Keras' LayerNormalization):
/// Forward:  μ = mean(x), inv = 1/√(mean((x - μ)²) + ε), y = (x - μ)·inv·γ + β (rows in parallel);
/// Backward: g = dy·γ, x̂ = (x - μ)·inv, dx = inv·(g - mean(g) - x̂·mean(g·x̂)), computed as
///           dx = inv·g - k·x + (k·μ - inv·Σg/D) with k = inv²·Σ(g·x̂)/D (Σ g·x̂ summed over x - μ, not x, so a large
///           mean does not cancel);
///           dγ = Σ_rows dy·(x - μ)·inv, dβ = Σ_rows dy.
/// </summary>
internal static class LayerNormOp
{
    public static void Forward(Tensor x, Tensor? gamma, Tensor? beta, float epsilon, Tensor y, float[] mean, float[] invStd)
    {
        int rows = mean.Length, d = x.Size / rows;
        var (xd, yd, gd, bd) = (x.Data, y.Data, gamma?.Data, beta?.Data);
        int tasks = x.Size < VectorOps.ParallelMin ? 1 : Math.Min(rows, Workers.ThreadCount * 4);
        Workers.For(tasks, t =>
        {
            for (int r = (int)((long)rows * t / tasks), r1 = (int)((long)rows * (t + 1) / tasks); r < r1; r++)
            {
                var xs = xd.AsSpan(r * d, d);
                var ys = yd.AsSpan(r * d, d);
                float mu = TensorPrimitives.Sum(xs) / d;
                TensorPrimitives.Subtract(xs, mu, ys);
                float inv = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(ys) / d + epsilon);
                mean[r] = mu;
                invStd[r] = inv;
                TensorPrimitives.Multiply(ys, inv, ys);
                if (gd is not null) TensorPrimitives.Multiply(ys, gd.AsSpan(0, d), ys);
                if (bd is not null) TensorPrimitives.Add(ys, bd.AsSpan(0, d), ys);
            }
        });
    }

    public static void Backward(Tensor x, Tensor? gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta)
    {
        int rows = mean.Length, d = x.Size / rows;
        var (xd, dyd, gd) = (x.Data, dy.Data, gamma?.Data);
        if (dx is not null)
        {
            var dxd = dx.Data;
            int tasks = x.Size < VectorOps.ParallelMin ? 1 : Math.Min(rows, Workers.ThreadCount * 4);
            Workers.For(tasks, t =>
            {
                for (int r = (int)((long)rows * t / tasks), r1 = (int)((long)rows * (t + 1) / tasks); r < r1; r++)
                {
                    var xs = xd.AsSpan(r * d, d);
                    var g = dxd.AsSpan(r * d, d);
                    if (gd is null) dyd.AsSpan(r * d, d).CopyTo(g);
                    else TensorPrimitives.Multiply(dyd.AsSpan(r * d, d), gd.AsSpan(0, d), g);
                    float mu = mean[r], inv = invStd[r];
                    float sg = TensorPrimitives.Sum(g);
                    float sgx = 0;
                    for (int i = 0; i < d; i++) sgx += g[i] * (xs[i] - mu);
                    sgx *= inv;   // Σ g·x̂
                    float k = inv * inv * sgx / d;
                    // dx = inv·g - k·x + (k·μ - inv·sg/D)
                    TensorPrimitives.Multiply(g, inv, g);
                    TensorPrimitives.MultiplyAdd(xs, -k, g, g);
                    TensorPrimitives.Add(g, k * mu - inv * sg / d, g);
                }
            });
        }
        if (dGamma is null && dBeta is null) return;
        dGamma?.Span.Clear();
        dBeta?.Span.Clear();
        for (int r = 0; r < rows; r++)
        {
            var dys = dyd.AsSpan(r * d, d);
            if (dBeta is not null) TensorPrimitives.Add(dBeta.Span, dys, dBeta.Span);
            if (dGamma is null) continue;
            float mu = mean[r], inv = invStd[r];
            var dg = dGamma.Span;
            for (int i = 0; i < d; i++) dg[i] += dys[i] * (xd[r * d + i] - mu) * inv;
        }
    }
}
