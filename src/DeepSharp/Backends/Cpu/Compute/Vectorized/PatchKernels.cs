using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>The vector loops of im2col (copying runs of a patch) and col2im (gathering a pixel's patch entries), at the widest accelerated width.</summary>
internal static unsafe class PatchKernels
{
    /// <summary>dst[0..count) = src[0..count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* src, float* dst, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
        else if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        else if (Vector128.IsHardwareAccelerated)
            for (; i + 4 <= count; i += 4) Vector128.Store(Vector128.Load(src + i), dst + i);
        for (; i < count; i++) dst[i] = src[i];
    }

    /// <summary>
    /// Rows [r0, r1) (row = image·inH + iy, images from n0) of col2im as a gather: each dx pixel is the sum of the
    /// patch entries in col that read it, written once. <paramref name="width"/> forces a vector width (tests).
    /// </summary>
    public static void Col2ImRows(float[] col, in ConvGeometry g, int n0, float[] dx, int r0, int r1, VectorWidth? width = null)
    {
        switch (width ?? VectorPaths.Best)
        {
            case VectorWidth.W512: Col2ImRows<Vector512<float>, Simd512>(col, g, n0, dx, r0, r1); break;
            case VectorWidth.W256: Col2ImRows<Vector256<float>, Simd256>(col, g, n0, dx, r0, r1); break;
            default: Col2ImRows<Vector128<float>, Simd128>(col, g, n0, dx, r0, r1); break;
        }
    }

    /// <summary>Four vectors of channels at a time (four independent sums), the channels past the last whole vector in a scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Col2ImRows<TVec, S>(float[] col, in ConvGeometry g, int n0, float[] dx, int r0, int r1)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int k = g.PatchSize, c = g.InC, lanes = S.Count, block = 4 * lanes;
        float* tail = stackalloc float[16];
        fixed (float* pcol = col, pdx = dx)
        {
            for (int r = r0; r < r1; r++)
            {
                int i = r / g.InH, iy = r % g.InH, n = n0 + i;
                for (int ix = 0; ix < g.InW; ix++)
                {
                    float* d = pdx + (long)((n * g.InH + iy) * g.InW + ix) * c;
                    for (int c0 = 0; c0 < c; c0 += block)
                    {
                        int width = Math.Min(block, c - c0), full = width / lanes;
                        var a0 = S.Zero; var a1 = S.Zero; var a2 = S.Zero; var a3 = S.Zero;
                        new Span<float>(tail, 16).Clear();
                        for (int ky = 0; ky < g.KH; ky++)
                        {
                            int ty = iy + g.PadTop - ky;
                            if (ty < 0 || ty % g.StrideH != 0) continue;
                            int oy = ty / g.StrideH;
                            if (oy >= g.OutH) continue;
                            for (int kx = 0; kx < g.KW; kx++)
                            {
                                int tx = ix + g.PadLeft - kx;
                                if (tx < 0 || tx % g.StrideW != 0) continue;
                                int ox = tx / g.StrideW;
                                if (ox >= g.OutW) continue;
                                float* s = pcol + (long)((i * g.OutH + oy) * g.OutW + ox) * k + (ky * g.KW + kx) * c + c0;
                                if (full >= 1) a0 = S.Add(a0, S.Load(s));
                                if (full >= 2) a1 = S.Add(a1, S.Load(s + lanes));
                                if (full >= 3) a2 = S.Add(a2, S.Load(s + 2 * lanes));
                                if (full >= 4) a3 = S.Add(a3, S.Load(s + 3 * lanes));
                                for (int j = full * lanes, t = 0; j < width; j++, t++) tail[t] += s[j];
                            }
                        }
                        float* o = d + c0;
                        if (full >= 1) S.Store(a0, o);
                        if (full >= 2) S.Store(a1, o + lanes);
                        if (full >= 3) S.Store(a2, o + 2 * lanes);
                        if (full >= 4) S.Store(a3, o + 3 * lanes);
                        for (int j = full * lanes, t = 0; j < width; j++, t++) o[j] = tail[t];
                    }
                }
            }
        }
    }
}
