using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Vectorized max pooling (one vector of channels per step, at any width: 4, 8 or 16 lanes). Computes exactly what the reference loops in
/// <see cref="PoolingOps"/> compute: the first window element (row-major order) that is strictly larger than
/// all before it wins, and its flat input index goes to argmax. The backward pass for windows that do not
/// overlap (stride ≥ pool size, the usual 2×2/2) writes every input gradient once instead of clearing and
/// scattering.
/// </summary>
internal static unsafe class MaxPoolKernels
{
    /// <summary>True when the CPU runs these kernels natively (otherwise the reference loops are used).</summary>
    public static bool Supported => VectorPaths.Best != VectorWidth.Scalar;

    /// <summary>Output rows (over the batch) per work item: small loops stay on one thread.</summary>
    private const int MinValuesPerTask = 16384;

    /// <summary>
    /// y and argmax of max pooling at the widest accelerated width, or at <paramref name="width"/> (tests run each).
    /// A null <paramref name="argmax"/> computes the values only (inference: no index kept or written).
    /// </summary>
    public static void Forward(Tensor x, Tensor y, int[]? argmax, ConvGeometry g, VectorWidth? width = null)
    {
        var w = width ?? VectorPaths.Best;
        int rows = g.Batch * g.OutH;
        int perRow = Math.Max(g.OutW * g.InC, 1);
        int tasks = Math.Clamp(rows * perRow / MinValuesPerTask, 1, Workers.ThreadCount * 4);
        tasks = Math.Min(tasks, rows);
        if (tasks <= 1) { ForwardRows(w, x.Data, y.Data, argmax, g, 0, rows); return; }
        Workers.For(tasks, t => ForwardRows(w, x.Data, y.Data, argmax, g, (int)((long)rows * t / tasks), (int)((long)rows * (t + 1) / tasks)));
    }

    private static void ForwardRows(VectorWidth width, float[] x, float[] y, int[]? argmax, in ConvGeometry g, int r0, int r1)
    {
        switch (width)
        {
            case VectorWidth.W512: ForwardRows<Vector512<float>, Simd512>(x, y, argmax, g, r0, r1); break;
            case VectorWidth.W256: ForwardRows<Vector256<float>, Simd256>(x, y, argmax, g, r0, r1); break;
            default: ForwardRows<Vector128<float>, Simd128>(x, y, argmax, g, r0, r1); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRows<TVec, S>(float[] xData, float[] yData, int[]? argmax, in ConvGeometry g, int r0, int r1)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int c = g.InC, lanes = S.Count;
        bool keep = argmax is not null;
        fixed (float* px = xData, py = yData)
        fixed (int* pa = argmax)
        {
            for (int r = r0; r < r1; r++)
            {
                int n = r / g.OutH, oy = r % g.OutH;
                int iy0 = oy * g.StrideH - g.PadTop;
                int y0 = Math.Max(iy0, 0), y1 = Math.Min(iy0 + g.KH, g.InH);
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    int o = ((n * g.OutH + oy) * g.OutW + ox) * c;
                    int ix0 = ox * g.StrideW - g.PadLeft;
                    int x0 = Math.Max(ix0, 0), x1 = Math.Min(ix0 + g.KW, g.InW);
                    if (y0 >= y1 || x0 >= x1)
                    {
                        for (int ch = 0; ch < c; ch++) { py[o + ch] = float.NegativeInfinity; if (keep) pa[o + ch] = -1; }
                        continue;
                    }
                    int first = ((n * g.InH + y0) * g.InW + x0) * c;
                    int ch0 = 0;
                    for (; ch0 + lanes <= c; ch0 += lanes)
                    {
                        var best = S.Load(px + first + ch0);
                        var index = S.IndexRamp(first + ch0);
                        for (int iy = y0; iy < y1; iy++)
                            for (int ix = x0; ix < x1; ix++)
                            {
                                int i = ((n * g.InH + iy) * g.InW + ix) * c + ch0;
                                if (i == first + ch0) continue;
                                var v = S.Load(px + i);
                                var wins = S.GreaterThan(v, best);
                                best = S.Select(wins, v, best);
                                if (keep) index = S.Select(wins, S.IndexRamp(i), index);
                            }
                        S.Store(best, py + o + ch0);
                        if (keep) S.StoreInts(index, pa + o + ch0);
                    }
                    for (int ch = ch0; ch < c; ch++)
                    {
                        float best = px[first + ch];
                        int index = first + ch;
                        for (int iy = y0; iy < y1; iy++)
                            for (int ix = x0; ix < x1; ix++)
                            {
                                int i = ((n * g.InH + iy) * g.InW + ix) * c + ch;
                                float v = px[i];
                                if (v > best) { best = v; index = i; }
                            }
                        py[o + ch] = best;
                        if (keep) pa[o + ch] = index;
                    }
                }
            }
        }
    }

    /// <summary>True when no input lies in two windows, so the backward pass can store instead of add.</summary>
    public static bool NonOverlapping(in ConvGeometry g) => g.StrideH >= g.KH && g.StrideW >= g.KW;

    /// <summary>dx = 0 except dx[argmax[i]] = dy[i], for non-overlapping windows (at <paramref name="width"/> when given).</summary>
    public static void BackwardNonOverlapping(Tensor dy, int[] argmax, Tensor dx, ConvGeometry g, VectorWidth? width = null)
    {
        var w = width ?? VectorPaths.Best;
        int images = g.Batch;
        int perImage = g.InH * g.InW * g.InC;
        int tasks = Math.Clamp((int)((long)images * perImage / MinValuesPerTask), 1, Math.Min(images, Workers.ThreadCount * 4));
        if (tasks <= 1) { BackwardImages(w, dy.Data, argmax, dx.Data, g, 0, images); return; }
        Workers.For(tasks, t => BackwardImages(w, dy.Data, argmax, dx.Data, g, images * t / tasks, images * (t + 1) / tasks));
    }

    private static void BackwardImages(VectorWidth width, float[] dy, int[] argmax, float[] dx, in ConvGeometry g, int n0, int n1)
    {
        switch (width)
        {
            case VectorWidth.W512: BackwardImages<Vector512<float>, Simd512>(dy, argmax, dx, g, n0, n1); break;
            case VectorWidth.W256: BackwardImages<Vector256<float>, Simd256>(dy, argmax, dx, g, n0, n1); break;
            default: BackwardImages<Vector128<float>, Simd128>(dy, argmax, dx, g, n0, n1); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardImages<TVec, S>(float[] dyData, int[] argmax, float[] dxData, in ConvGeometry g, int n0, int n1)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int c = g.InC, lanes = S.Count;
        // Inputs outside every window get zero; exact tilings (stride = pool, no padding) clear only the
        // uncovered right and bottom edges, everything else clears the image first.
        bool tiles = g.StrideH == g.KH && g.StrideW == g.KW && g.PadTop == 0 && g.PadLeft == 0;
        int coveredH = Math.Min(g.OutH * g.KH, g.InH), coveredW = Math.Min(g.OutW * g.KW, g.InW);
        fixed (float* pdy = dyData, pdx = dxData)
        fixed (int* pa = argmax)
        {
            for (int n = n0; n < n1; n++)
            {
                float* image = pdx + (long)n * g.InH * g.InW * c;
                if (!tiles) new Span<float>(image, g.InH * g.InW * c).Clear();
                else
                {
                    for (int iy = 0; iy < coveredH; iy++)
                        new Span<float>(image + (iy * g.InW + coveredW) * c, (g.InW - coveredW) * c).Clear();
                    new Span<float>(image + coveredH * g.InW * c, (g.InH - coveredH) * g.InW * c).Clear();
                }
                for (int oy = 0; oy < g.OutH; oy++)
                {
                    int iy0 = oy * g.StrideH - g.PadTop;
                    int y0 = Math.Max(iy0, 0), y1 = Math.Min(iy0 + g.KH, g.InH);
                    for (int ox = 0; ox < g.OutW; ox++)
                    {
                        int o = ((n * g.OutH + oy) * g.OutW + ox) * c;
                        int ix0 = ox * g.StrideW - g.PadLeft;
                        int x0 = Math.Max(ix0, 0), x1 = Math.Min(ix0 + g.KW, g.InW);
                        int ch0 = 0;
                        for (; ch0 + lanes <= c; ch0 += lanes)
                        {
                            var d = S.Load(pdy + o + ch0);
                            var winner = S.LoadInts(pa + o + ch0);
                            for (int iy = y0; iy < y1; iy++)
                                for (int ix = x0; ix < x1; ix++)
                                {
                                    int i = ((n * g.InH + iy) * g.InW + ix) * c + ch0;
                                    S.Store(S.And(d, S.EqualBits(winner, S.IndexRamp(i))), pdx + i);
                                }
                        }
                        for (int ch = ch0; ch < c; ch++)
                        {
                            int w = pa[o + ch];
                            for (int iy = y0; iy < y1; iy++)
                                for (int ix = x0; ix < x1; ix++)
                                {
                                    int i = ((n * g.InH + iy) * g.InW + ix) * c + ch;
                                    pdx[i] = i == w ? pdy[o + ch] : 0f;
                                }
                        }
                    }
                }
            }
        }
    }
}
