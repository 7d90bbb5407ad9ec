namespace DeepSharp.Backends.Reference;

/// <summary>The optimizers' Keras 3 additions as plain loops, formulas as in Keras 3's optimizers/*.py.</summary>
internal sealed partial class ReferenceBackend
{
    public void AdagradUpdate(Span<float> w, ReadOnlySpan<float> g, float[] a, float lr, float eps)
    {
        for (int i = 0; i < w.Length; i++)
        {
            a[i] += g[i] * g[i];
            w[i] -= lr * g[i] / MathF.Sqrt(a[i] + eps);
        }
    }

    public void NadamUpdate(Span<float> w, ReadOnlySpan<float> g, float[] m, float[] v, float lr, float b1, float b2, float c1, float c2, float bc2, float eps)
    {
        for (int i = 0; i < w.Length; i++)
        {
            m[i] += (g[i] - m[i]) * b1;
            v[i] += (g[i] * g[i] - v[i]) * b2;
            float mHat = c1 * m[i] + c2 * g[i];
            w[i] -= lr * mHat / (MathF.Sqrt(v[i] / bc2) + eps);
        }
    }

    public double SumOfSquares(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return sum;
    }

    public void Scale(Span<float> x, float factor)
    {
        for (int i = 0; i < x.Length; i++) x[i] *= factor;
    }

    public void ClipByValue(Span<float> x, float limit)
    {
        for (int i = 0; i < x.Length; i++) x[i] = Math.Clamp(x[i], -limit, limit);
    }

    public void MovingAverageUpdate(Span<float> average, ReadOnlySpan<float> w, float momentum)
    {
        for (int i = 0; i < average.Length; i++) average[i] = momentum * average[i] + (1 - momentum) * w[i];
    }

    public double L1L2Penalty(ReadOnlySpan<float> w, float l1, float l2)
    {
        double abs = 0, squares = 0;
        foreach (float v in w) { abs += Math.Abs((double)v); squares += (double)v * v; }
        return l1 * abs + l2 * squares;
    }

    public void L1L2Gradient(ReadOnlySpan<float> w, Span<float> g, float l1, float twoL2)
    {
        for (int i = 0; i < w.Length; i++) g[i] += l1 * MathF.Sign(w[i]) + twoL2 * w[i];
    }
}
