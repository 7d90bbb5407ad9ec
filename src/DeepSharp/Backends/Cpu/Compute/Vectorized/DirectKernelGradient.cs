using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The kernel and bias gradients of a convolution with a small patch (a first layer on 1 or 3 channels), in one
/// pass over dy without im2col: for each row of output pixels, dz = (y &gt; 0 ? dy : 0) (ReLU) or dy is formed in a
/// small buffer and added into the bias sums, then dW[p, f] += Σ_ox x[patch entry p of pixel ox] · dz[ox, f].
/// Used when no input gradient is needed: the im2col + GEMM path writes dz and a column buffer over the whole batch,
/// while this one only reads y, dy and x once. MNIST's first conv (K = 9, 32 filters): 1.9 ms backward before.
/// When a max pooling follows, the model may hand over the pooling's gradient unscattered instead
/// (<see cref="RunThroughMaxPool"/>): dz is then formed from the pooled dy, its winners and the pooled maxima, and
/// neither the pooling's dense input gradient nor y is read. <c>bench -- ab --switch fuse-pool-backward</c> on the 2-core
/// AVX2 VM (on/off step time, median of alternated rounds): MNIST training 0.936 and 0.947 on 2 threads, 0.946 on one;
/// cats-vs-dogs training 0.956.
/// </summary>
internal static unsafe class DirectKernelGradient
{
    /// <summary>Largest patch (KH·KW·C) this path takes; above it the packed GEMM is faster.</summary>
    internal const int MaxPatch = 32;

    [ThreadStatic] private static float[]? _work;

    /// <summary>True when this path computes the gradients of a convolution with this geometry at the default width.</summary>
    public static bool Applies(in ConvGeometry g, int filters) => Applies(g, filters, Width(filters));

    /// <summary>True when this path computes the gradients of this geometry at <paramref name="width"/>.</summary>
    public static bool Applies(in ConvGeometry g, int filters, VectorWidth width) =>
        Backends.Cpu.CpuBackend.Settings.FirstLayerDirectGradient && width != VectorWidth.Scalar && filters % VectorPaths.Lanes(width) == 0 && filters <= 64 && g.PatchSize <= MaxPatch;

    /// <summary>
    /// The machine's own width when its lanes divide the filters, else Scalar (the path is not taken): the rule measured
    /// on AVX-512 (filters a multiple of 16), scaled to each width, so no layer changes path on an AVX-512 machine.
    /// </summary>
    private static VectorWidth Width(int filters) =>
        VectorPaths.Best != VectorWidth.Scalar && filters % VectorPaths.Lanes(VectorPaths.Best) == 0 ? VectorPaths.Best : VectorWidth.Scalar;

    /// <summary>
    /// dKernel (KH, KW, C, F) = col(x)ᵀ · dz and dBias = Σ dz (optional), both overwritten, with dz = y &gt; 0 ? dy : 0
    /// when <paramref name="relu"/> (y the layer's ReLU output), else dz = dy. <paramref name="width"/> forces a
    /// vector width (tests run each one); by default the widest accelerated one that divides the filters.
    /// </summary>
    public static void Run(float[] x, float[]? y, float[] dy, bool relu, Span<float> dKernel, Span<float> dBias, in ConvGeometry g, int f,
        VectorWidth? width = null)
    {
        if (relu && y is null) throw new ArgumentException("DirectKernelGradient: the ReLU mask needs the layer's output y.");
        Run(x, y, dy, null, relu, dKernel, dBias, g, f, width);
    }

    /// <summary>
    /// The same gradients with dz taken from the max pooling that follows the layer (<see cref="MaxPoolGradient"/>):
    /// dz[n, oy, ox, c] = the pooled dy where (oy, ox) won channel c's window, else 0; with <paramref name="relu"/>, also
    /// 0 where the window's maximum is not positive. The dense dz is never written.
    /// </summary>
    public static void RunThroughMaxPool(float[] x, in MaxPoolGradient pooled, bool relu, Span<float> dKernel, Span<float> dBias,
        in ConvGeometry g, int f, VectorWidth? width = null) => Run(x, null, null, pooled, relu, dKernel, dBias, g, f, width);

    private static void Run(float[] x, float[]? y, float[]? dy, MaxPoolGradient? pooled, bool relu, Span<float> dKernel, Span<float> dBias,
        in ConvGeometry g, int f, VectorWidth? width)
    {
        var w = width ?? Width(f);
        if (!Applies(g, f, w)) throw new ArgumentException($"DirectKernelGradient: patch {g.PatchSize} with {f} filters is not supported at {w} (needs filters a multiple of the vector's lanes up to 64, patch up to {MaxPatch}).");
        int rows = g.Batch * g.OutH, k = g.PatchSize;
        long work = (long)g.OutPixels * (k + 2) * f;
        int tasks = work < 4 * VectorOps.ParallelMin ? 1 : Math.Min(Workers.ThreadCount, rows);
        int partial = (k + 1) * f, rowFloats = g.OutW * f;
        int perTask = partial + rowFloats + 16;
        var buffer = _work is { } b && b.Length >= tasks * perTask ? b : (_work = GC.AllocateUninitializedArray<float>(tasks * perTask, pinned: true));
        var geometry = g;
        if (tasks == 1) Rows(w, x, y, dy, pooled, relu, geometry, f, 0, rows, buffer, 0);
        else Workers.For(tasks, t => Rows(w, x, y, dy, pooled, relu, geometry, f, (int)((long)rows * t / tasks), (int)((long)rows * (t + 1) / tasks), buffer, t * perTask));
        var sum = buffer.AsSpan(0, partial);
        for (int t = 1; t < tasks; t++)
            System.Numerics.Tensors.TensorPrimitives.Add(sum, buffer.AsSpan(t * perTask, partial), sum);
        sum.Slice(0, k * f).CopyTo(dKernel);
        if (!dBias.IsEmpty) sum.Slice(k * f, f).CopyTo(dBias);
    }

    private static void Rows(VectorWidth width, float[] x, float[]? y, float[]? dy, MaxPoolGradient? pooled, bool relu, in ConvGeometry g, int f,
        int r0, int r1, float[] buffer, int offset)
    {
        switch (width)
        {
            case VectorWidth.W512: Rows<Vector512<float>, Simd512>(x, y, dy, pooled, relu, g, f, r0, r1, buffer, offset); break;
            case VectorWidth.W256: Rows<Vector256<float>, Simd256>(x, y, dy, pooled, relu, g, f, r0, r1, buffer, offset); break;
            default: Rows<Vector128<float>, Simd128>(x, y, dy, pooled, relu, g, f, r0, r1, buffer, offset); break;
        }
    }

    /// <summary>Output rows [r0, r1) (row = n·outH + oy) into the partial sums at buffer[offset..]: dW (k×f), then the bias (f).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TVec, S>(float[] x, float[]? y, float[]? dy, MaxPoolGradient? pooled, bool relu, ConvGeometry g, int f,
        int r0, int r1, float[] buffer, int offset) where TVec : struct where S : struct, ISimd<TVec>
    {
        int k = g.PatchSize, c = g.InC, outW = g.OutW, lanes = S.Count, vectors = f / lanes;
        var pool = pooled.GetValueOrDefault();
        fixed (float* px = x, py = pooled is null ? y : pool.Y, pdy = pooled is null ? dy : pool.Dy, pbuf = buffer)
        fixed (int* pwin = pool.Argmax)
        {
            float* dw = pbuf + offset, bias = dw + k * f;
            float* dz = (float*)(((nint)(bias + f) + 63) & ~(nint)63);
            new Span<float>(dw, (k + 1) * f).Clear();
            for (int r = r0; r < r1; r++)
            {
                int n = r / g.OutH, oy = r - n * g.OutH;
                long pixel0 = (long)r * outW * f;
                // dz for this row of pixels, and its column sums into the bias gradient.
                if (pooled is not null)
                {
                    // From the pooling: each pixel's window (if any), where the pixel won; the window's maximum is the ReLU's output there.
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int at = pool.WindowOf(n, oy, ox), self = (int)(pixel0 + ox * f);
                        for (int v = 0; v < vectors; v++)
                        {
                            var d = S.Zero;
                            if (at >= 0)
                            {
                                int o = at + v * lanes;
                                d = S.And(S.EqualBits(S.LoadInts(pwin + o), S.IndexRamp(self + v * lanes)), S.Load(pdy + o));
                                if (relu) d = S.KeepWherePositive(d, S.Load(py + o));
                            }
                            S.Store(d, dz + ox * f + v * lanes);
                        }
                    }
                    for (int v = 0; v < vectors; v++)
                    {
                        var sum = S.Load(bias + v * lanes);
                        for (int ox = 0; ox < outW; ox++) sum = S.Add(sum, S.Load(dz + ox * f + v * lanes));
                        S.Store(sum, bias + v * lanes);
                    }
                }
                else for (int v = 0; v < vectors; v++)
                {
                    var sum = S.Load(bias + v * lanes);
                    for (int ox = 0; ox < outW; ox++)
                    {
                        long at = pixel0 + ox * f + v * lanes;
                        var d = S.Load(pdy + at);
                        if (relu) d = S.KeepWherePositive(d, S.Load(py + at));
                        S.Store(d, dz + ox * f + v * lanes);
                        sum = S.Add(sum, d);
                    }
                    S.Store(sum, bias + v * lanes);
                }
                // dW[p, :] += Σ_ox x[n, iy, ix(ox), ch] · dz[ox, :] for each patch entry p = (ky, kx, ch).
                for (int ky = 0; ky < g.KH; ky++)
                {
                    int iy = oy * g.StrideH - g.PadTop + ky;
                    if ((uint)iy >= (uint)g.InH) continue;
                    float* xRow = px + (long)(n * g.InH + iy) * g.InW * c;
                    for (int kx = 0; kx < g.KW; kx++)
                    {
                        // Output columns whose ix = ox·s - padLeft + kx falls inside the image.
                        int shift = g.PadLeft - kx;
                        int oxLo = shift <= 0 ? 0 : (shift + g.StrideW - 1) / g.StrideW;
                        int oxHi = Math.Min(outW, (g.InW - 1 + shift) / g.StrideW + 1);
                        if (oxLo >= oxHi) continue;
                        for (int ch = 0; ch < c; ch++)
                        {
                            float* xs = xRow + (oxLo * g.StrideW - shift) * c + ch;
                            float* w = dw + ((ky * g.KW + kx) * c + ch) * f;
                            Accumulate<TVec, S>(xs, g.StrideW * c, dz + oxLo * f, f, oxHi - oxLo, w, vectors);
                        }
                    }
                }
            }
        }
    }

    /// <summary>w[0..f) += Σ_i xs[i·xStep] · dz[i·f .. i·f + f), two pixels at a time (four independent sums).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate<TVec, S>(float* xs, int xStep, float* dz, int f, int count, float* w, int vectors)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int lanes = S.Count;
        for (int v = 0; v < vectors; v += 2)
        {
            bool two = v + 1 < vectors;
            float* d = dz + v * lanes;
            var a0 = S.Load(w + v * lanes);
            var a1 = two ? S.Load(w + v * lanes + lanes) : S.Zero;
            var b0 = S.Zero; var b1 = S.Zero;
            int i = 0;
            for (; i + 2 <= count; i += 2)
            {
                var x0 = S.Create(xs[i * xStep]);
                var x1 = S.Create(xs[(i + 1) * xStep]);
                float* d0 = d + i * f, d1 = d0 + f;
                a0 = S.MultiplyAdd(x0, S.Load(d0), a0);
                b0 = S.MultiplyAdd(x1, S.Load(d1), b0);
                if (two)
                {
                    a1 = S.MultiplyAdd(x0, S.Load(d0 + lanes), a1);
                    b1 = S.MultiplyAdd(x1, S.Load(d1 + lanes), b1);
                }
            }
            if (i < count)
            {
                var x0 = S.Create(xs[i * xStep]);
                a0 = S.MultiplyAdd(x0, S.Load(d + i * f), a0);
                if (two) a1 = S.MultiplyAdd(x0, S.Load(d + i * f + lanes), a1);
            }
            S.Store(S.Add(a0, b0), w + v * lanes);
            if (two) S.Store(S.Add(a1, b1), w + v * lanes + lanes);
        }
    }
}
