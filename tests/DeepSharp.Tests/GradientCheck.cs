namespace DeepSharp.Tests;

/// <summary>
/// Finite-difference checks of analytic gradients.
/// An op y = f(x) is checked through the scalar L(x) = Σ dy ⊙ f(x) for a random upstream gradient dy:
/// its analytic backward must equal dL/dx, which is estimated by central differences
/// (L(x + h e_i) - L(x - h e_i)) / (2h), each L summed in double precision from the float forward.
/// </summary>
/// <remarks>
/// The tolerance is |numeric - analytic| ≤ rtol·|numeric| + atol·max|numeric|, element by element.
/// Every check also proves it can fail: the same comparison must reject the analytic gradient scaled by 1.1.
/// </remarks>
internal static class GradientCheck
{
    /// <summary>
    /// The input gradient of a convolution the plain way, for fast paths to be checked against: dx = col2im(dy · Wᵀ)
    /// through the triple-loop GEMM. Returns dx and its largest magnitude (the scale of a tolerance).
    /// </summary>
    public static (Tensor Dx, float Scale) ReferenceInputGradient(Tensor dy, Tensor kernel, DeepSharp.Backends.Cpu.ConvGeometry g)
    {
        int m = g.OutPixels, k = g.PatchSize, f = kernel.Dim(3);
        var col = new float[m * k];
        DeepSharp.Backends.Cpu.Gemm.Reference(false, true, m, k, f, dy.Span, f, kernel.Span, f, col, k);
        var dx = new Tensor(g.Batch, g.InH, g.InW, g.InC);
        DeepSharp.Backends.Cpu.Conv2DOp.Col2Im(col, g, 0, g.Batch, dx.Data);
        float scale = 0;
        foreach (var v in dx.Data) scale = Math.Max(scale, Math.Abs(v));
        return (dx, scale);
    }

    /// <summary>
    /// The kernel gradient of a convolution the plain way: dW = col(x)ᵀ · dz through the triple-loop GEMM.
    /// Returns dW and its largest magnitude.
    /// </summary>
    public static (Tensor DKernel, float Scale) ReferenceKernelGradient(Tensor x, Tensor dz, DeepSharp.Backends.Cpu.ConvGeometry g)
    {
        int m = g.OutPixels, k = g.PatchSize, f = dz.Dim(3);
        var col = new float[m * k];
        DeepSharp.Backends.Cpu.Conv2DOp.Im2Col(x.Data, g, 0, g.Batch, col);
        var dw = new Tensor(g.KH, g.KW, g.InC, f);
        DeepSharp.Backends.Cpu.Gemm.Reference(true, false, k, f, m, col, k, dz.Span, f, dw.Span, f);
        float scale = 0;
        foreach (var v in dw.Data) scale = Math.Max(scale, Math.Abs(v));
        return (dw, scale);
    }

    /// <summary>A tensor of uniform values in [low, high) from a seeded generator.</summary>
    public static Tensor Random(int seed, int[] shape, float low = -1f, float high = 1f)
    {
        var t = new Tensor(shape);
        Rng.Uniform(new System.Random(seed), t.Span, low, high);
        return t;
    }

    /// <summary>
    /// A tensor whose values are a shuffled evenly spaced grid in [low, high): no two are closer than
    /// (high-low)/size, so max pooling has no ties and a small step h never changes the winner.
    /// </summary>
    public static Tensor Distinct(int seed, int[] shape, float low = -1f, float high = 1f)
    {
        var t = new Tensor(shape);
        var order = Enumerable.Range(0, t.Size).ToArray();
        Rng.Shuffle(new System.Random(seed), order);
        float step = (high - low) / t.Size;
        for (int i = 0; i < t.Size; i++) t.Data[i] = low + step * (order[i] + 0.5f);
        return t;
    }

    /// <summary>Values in ±[low, high): random sign, magnitude at least <paramref name="low"/> (keeps ReLU inputs away from 0).</summary>
    public static Tensor AwayFromZero(int seed, int[] shape, float low, float high)
    {
        var r = new System.Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Size; i++)
            t.Data[i] = (r.Next(2) == 0 ? -1f : 1f) * (low + (high - low) * r.NextSingle());
        return t;
    }

    /// <summary>Σ dy ⊙ y in double precision.</summary>
    public static double Dot(Tensor y, Tensor dy)
    {
        if (y.Size != dy.Size) throw new ArgumentException($"GradientCheck: output has {y.Size} values but dy has {dy.Size}.");
        double s = 0;
        for (int i = 0; i < y.Size; i++) s += (double)y.Data[i] * dy.Data[i];
        return s;
    }

    /// <summary>
    /// Central differences of <paramref name="objective"/> with respect to every value of <paramref name="x"/>.
    /// The objective must read x's current values; x is restored after each probe.
    /// The step is the float difference actually applied, so rounding of x ± h does not bias the estimate.
    /// </summary>
    public static double[] Numeric(Tensor x, Func<double> objective, float h)
    {
        var result = new double[x.Size];
        for (int i = 0; i < x.Size; i++)
        {
            float original = x.Data[i];
            float plus = original + h, minus = original - h;
            x.Data[i] = plus;
            double lPlus = objective();
            x.Data[i] = minus;
            double lMinus = objective();
            x.Data[i] = original;
            result[i] = (lPlus - lMinus) / ((double)plus - minus);
        }
        return result;
    }

    /// <summary>
    /// Checks an analytic gradient (already computed and copied: the probes below rerun the forward pass)
    /// against central differences of <paramref name="objective"/> with respect to <paramref name="x"/>.
    /// </summary>
    public static void Check(string what, Tensor x, Func<double> objective, ReadOnlySpan<float> analytic,
        float h = 1e-2f, double rtol = 1e-2, double atol = 1e-3)
    {
        var numeric = Numeric(x, objective, h);
        AssertClose(what, numeric, analytic, rtol, atol);
    }

    /// <summary>Checks the gradient of L = Σ dy ⊙ forward() with respect to <paramref name="x"/>.</summary>
    public static void CheckOp(string what, Tensor x, Func<Tensor> forward, Tensor dy, ReadOnlySpan<float> analytic,
        float h = 1e-2f, double rtol = 1e-2, double atol = 1e-3) =>
        Check(what, x, () => Dot(forward(), dy), analytic, h, rtol, atol);

    /// <summary>
    /// Asserts |numeric - analytic| ≤ rtol·|numeric| + atol·max|numeric| for every element, and that the
    /// same test rejects the analytic gradient scaled by 1.1 (so the check is able to fail).
    /// </summary>
    public static void AssertClose(string what, double[] numeric, ReadOnlySpan<float> analytic, double rtol = 1e-2, double atol = 1e-3)
    {
        Assert.True(numeric.Length == analytic.Length, $"{what}: {numeric.Length} numeric values but {analytic.Length} analytic ones.");
        double scale = numeric.Max(Math.Abs);
        Assert.True(scale > 1e-6, $"{what}: the numeric gradient is zero everywhere, so the check would prove nothing. Change the inputs or dy.");
        int worst = WorstViolation(numeric, analytic, 1.0, rtol, atol * scale, out double excess);
        Assert.True(worst < 0,
            worst < 0 ? "" : $"{what}: element {worst}: analytic {analytic[worst]:G6} but finite differences give {numeric[worst]:G6} " +
                             $"(off by {excess:G3} beyond the tolerance {rtol}·|num| + {atol * scale:G3}).");
        int caught = WorstViolation(numeric, analytic, 1.1, rtol, atol * scale, out _);
        Assert.True(caught >= 0, $"{what}: the check also accepts the analytic gradient times 1.1, so it cannot fail. Tighten rtol/atol or use larger values.");
    }

    /// <summary>Index of the element that misses the tolerance by the most (-1 when all pass).</summary>
    private static int WorstViolation(double[] numeric, ReadOnlySpan<float> analytic, double factor, double rtol, double atol, out double excess)
    {
        int worst = -1;
        excess = 0;
        for (int i = 0; i < numeric.Length; i++)
        {
            double diff = Math.Abs(numeric[i] - factor * analytic[i]), tol = rtol * Math.Abs(numeric[i]) + atol;
            if (diff <= tol) continue;   // written this way round so that NaN counts as a violation
            double e = double.IsNaN(diff) ? double.PositiveInfinity : diff - tol;
            if (worst < 0 || e > excess) { excess = e; worst = i; }
        }
        return worst;
    }

    /// <summary>A copy of a tensor's values (analytic gradients live in buffers the next forward overwrites).</summary>
    public static float[] Copy(Tensor t) => t.Span.ToArray();
}
