using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The vector halves of Winograd F(2×2, 3×3) (the orchestration and the formulas are in <see cref="WinogradConv"/>):
/// the input transform V = Bᵀ d B and the output transform Y = Aᵀ M A, one vector of channels at a time, at any width.
/// </summary>
internal static unsafe class WinogradTransforms
{
    /// <summary>V[ξ][tile, c] = (Bᵀ d B)[ξ] for every tile of one row of tiles (tile row index = n·tilesH + ty).</summary>
    public static void InputRow(VectorWidth width, float[] x, in ConvGeometry g, int tileRow, int tile0, int tiles, float[] work, int vOffset)
    {
        switch (width)
        {
            case VectorWidth.W512: InputRow<Vector512<float>, Simd512>(x, g, tileRow, tile0, tiles, work, vOffset); break;
            case VectorWidth.W256: InputRow<Vector256<float>, Simd256>(x, g, tileRow, tile0, tiles, work, vOffset); break;
            default: InputRow<Vector128<float>, Simd128>(x, g, tileRow, tile0, tiles, work, vOffset); break;
        }
    }

    /// <summary>y (2×2 per tile) = Aᵀ m A + bias, then ReLU, for one row of tiles; outputs past the edge are skipped.</summary>
    public static void OutputRow(VectorWidth width, float[] work, int mOffset, int tiles, int tile0, in ConvGeometry g, int tileRow,
        int f, float[] bias, bool relu, float[] y)
    {
        switch (width)
        {
            case VectorWidth.W512: OutputRow<Vector512<float>, Simd512>(work, mOffset, tiles, tile0, g, tileRow, f, bias, relu, y); break;
            case VectorWidth.W256: OutputRow<Vector256<float>, Simd256>(work, mOffset, tiles, tile0, g, tileRow, f, bias, relu, y); break;
            default: OutputRow<Vector128<float>, Simd128>(work, mOffset, tiles, tile0, g, tileRow, f, bias, relu, y); break;
        }
    }

    /// <summary>
    /// W[ξ][tile, f] = (A dy Aᵀ)[ξ] for every tile of one row of tiles: each 2×2 tile of the output gradient (zero past
    /// the edge) taken to the 4×4 transformed domain, for the kernel gradient (<see cref="WinogradConv.KernelGradient"/>).
    /// </summary>
    public static void GradientRow(VectorWidth width, float[] dy, in ConvGeometry g, int f, int tileRow, int tile0, int tiles, float[] work, int wOffset)
    {
        switch (width)
        {
            case VectorWidth.W512: GradientRow<Vector512<float>, Simd512>(dy, g, f, tileRow, tile0, tiles, work, wOffset); break;
            case VectorWidth.W256: GradientRow<Vector256<float>, Simd256>(dy, g, f, tileRow, tile0, tiles, work, wOffset); break;
            default: GradientRow<Vector128<float>, Simd128>(dy, g, f, tileRow, tile0, tiles, work, wOffset); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientRow<TVec, S>(float[] dy, in ConvGeometry g, int f, int tileRow, int tile0, int tiles, float[] work, int wOffset)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int lanes = S.Count, tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2;
        int n = tileRow / tilesH, oy = 2 * (tileRow % tilesH);
        bool down = oy + 1 < g.OutH;
        long plane = (long)tiles * f;
        fixed (float* pd = dy, pw = work)
        {
            for (int tx = 0; tx < tilesW; tx++)
            {
                int ox = 2 * tx;
                bool right = ox + 1 < g.OutW;
                float* d00 = pd + ((long)(n * g.OutH + oy) * g.OutW + ox) * f, d10 = d00 + (long)g.OutW * f;
                float* dst = pw + wOffset + (long)(tile0 + tx) * f;
                for (int f0 = 0; f0 < f; f0 += lanes)
                {
                    // The tile [[a, b], [c, d]]; A's rows are (1, 0), (1, 1), (1, -1), (0, -1).
                    var a = S.Load(d00 + f0);
                    var b = right ? S.Load(d00 + f + f0) : S.Zero;
                    var c = down ? S.Load(d10 + f0) : S.Zero;
                    var d = down && right ? S.Load(d10 + f + f0) : S.Zero;
                    // Rows: t = A dy, row i is (p, q); then columns: w[i] = (p, p + q, p - q, -q).
                    float* o = dst + f0;
                    Columns(a, b, o, plane);
                    Columns(S.Add(a, c), S.Add(b, d), o + 4 * plane, plane);
                    Columns(S.Subtract(a, c), S.Subtract(b, d), o + 8 * plane, plane);
                    Columns(S.Subtract(S.Zero, c), S.Subtract(S.Zero, d), o + 12 * plane, plane);
                }
            }
        }

        static void Columns(TVec p, TVec q, float* o, long plane)
        {
            S.Store(p, o);
            S.Store(S.Add(p, q), o + plane);
            S.Store(S.Subtract(p, q), o + 2 * plane);
            S.Store(S.Subtract(S.Zero, q), o + 3 * plane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputRow<TVec, S>(float[] x, in ConvGeometry g, int tileRow, int tile0, int tiles, float[] work, int vOffset)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int c = g.InC, lanes = S.Count, tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2;
        int n = tileRow / tilesH, ty = tileRow % tilesH;
        int iy0 = 2 * ty - g.PadTop;
        long plane = (long)tiles * c;
        // The 4×4 tile of input vectors, d[(i·4 + j)·lanes ..], on the stack (64-byte aligned).
        float* space = stackalloc float[16 * 16 + 16];
        float* d = (float*)(((nint)space + 63) & ~(nint)63);
        fixed (float* px = x, pw = work)
        {
            float* v = pw + vOffset;
            for (int tx = 0; tx < tilesW; tx++)
            {
                int ix0 = 2 * tx - g.PadLeft;
                bool inside = iy0 >= 0 && iy0 + 4 <= g.InH && ix0 >= 0 && ix0 + 4 <= g.InW;
                float* dst = v + (long)(tile0 + tx) * c;
                for (int c0 = 0; c0 < c; c0 += lanes)
                {
                    for (int i = 0; i < 4; i++)
                    {
                        int iy = iy0 + i;
                        for (int j = 0; j < 4; j++)
                        {
                            int ix = ix0 + j;
                            S.Store(inside || ((uint)iy < (uint)g.InH && (uint)ix < (uint)g.InW)
                                ? S.Load(px + ((long)(n * g.InH + iy) * g.InW + ix) * c + c0)
                                : S.Zero, d + (i * 4 + j) * lanes);
                        }
                    }
                    // Rows: t = Bᵀ d.
                    for (int j = 0; j < 4; j++)
                    {
                        var d0 = S.Load(d + j * lanes); var d1 = S.Load(d + (4 + j) * lanes);
                        var d2 = S.Load(d + (8 + j) * lanes); var d3 = S.Load(d + (12 + j) * lanes);
                        S.Store(S.Subtract(d0, d2), d + j * lanes);
                        S.Store(S.Add(d1, d2), d + (4 + j) * lanes);
                        S.Store(S.Subtract(d2, d1), d + (8 + j) * lanes);
                        S.Store(S.Subtract(d1, d3), d + (12 + j) * lanes);
                    }
                    // Columns: v = t B, stored at plane ξ = 4i + j.
                    float* o = dst + c0;
                    for (int i = 0; i < 4; i++)
                    {
                        var t0 = S.Load(d + (i * 4) * lanes); var t1 = S.Load(d + (i * 4 + 1) * lanes);
                        var t2 = S.Load(d + (i * 4 + 2) * lanes); var t3 = S.Load(d + (i * 4 + 3) * lanes);
                        S.Store(S.Subtract(t0, t2), o + (i * 4 + 0) * plane);
                        S.Store(S.Add(t1, t2), o + (i * 4 + 1) * plane);
                        S.Store(S.Subtract(t2, t1), o + (i * 4 + 2) * plane);
                        S.Store(S.Subtract(t1, t3), o + (i * 4 + 3) * plane);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OutputRow<TVec, S>(float[] work, int mOffset, int tiles, int tile0, in ConvGeometry g, int tileRow,
        int f, float[] bias, bool relu, float[] y) where TVec : struct where S : struct, ISimd<TVec>
    {
        int lanes = S.Count, tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2;
        int n = tileRow / tilesH, ty = tileRow % tilesH;
        long plane = (long)tiles * f;
        fixed (float* pw = work, py = y, pb = bias)
        {
            float* m = pw + mOffset;
            for (int tx = 0; tx < tilesW; tx++)
            {
                float* src = m + (long)(tile0 + tx) * f;
                int oy = 2 * ty, ox = 2 * tx;
                bool down = oy + 1 < g.OutH, right = ox + 1 < g.OutW;
                float* y00 = py + ((long)(n * g.OutH + oy) * g.OutW + ox) * f;
                float* y10 = y00 + (long)g.OutW * f;
                for (int f0 = 0; f0 < f; f0 += lanes)
                {
                    float* s = src + f0;
                    // s_0j = m0j + m1j + m2j, s_1j = m1j - m2j - m3j (Aᵀ m), then the same on columns (· A).
                    var s00 = S.Add(S.Add(S.Load(s), S.Load(s + 4 * plane)), S.Load(s + 8 * plane));
                    var s01 = S.Add(S.Add(S.Load(s + plane), S.Load(s + 5 * plane)), S.Load(s + 9 * plane));
                    var s02 = S.Add(S.Add(S.Load(s + 2 * plane), S.Load(s + 6 * plane)), S.Load(s + 10 * plane));
                    var s03 = S.Add(S.Add(S.Load(s + 3 * plane), S.Load(s + 7 * plane)), S.Load(s + 11 * plane));
                    var s10 = S.Subtract(S.Subtract(S.Load(s + 4 * plane), S.Load(s + 8 * plane)), S.Load(s + 12 * plane));
                    var s11 = S.Subtract(S.Subtract(S.Load(s + 5 * plane), S.Load(s + 9 * plane)), S.Load(s + 13 * plane));
                    var s12 = S.Subtract(S.Subtract(S.Load(s + 6 * plane), S.Load(s + 10 * plane)), S.Load(s + 14 * plane));
                    var s13 = S.Subtract(S.Subtract(S.Load(s + 7 * plane), S.Load(s + 11 * plane)), S.Load(s + 15 * plane));
                    var b = bias.Length > 0 ? S.Load(pb + f0) : S.Zero;
                    var r00 = S.Add(S.Add(S.Add(s00, s01), s02), b);
                    var r01 = S.Add(S.Subtract(S.Subtract(s01, s02), s03), b);
                    var r10 = S.Add(S.Add(S.Add(s10, s11), s12), b);
                    var r11 = S.Add(S.Subtract(S.Subtract(s11, s12), s13), b);
                    if (relu)
                    {
                        r00 = S.Max(r00, S.Zero); r01 = S.Max(r01, S.Zero);
                        r10 = S.Max(r10, S.Zero); r11 = S.Max(r11, S.Zero);
                    }
                    S.Store(r00, y00 + f0);
                    if (right) S.Store(r01, y00 + f + f0);
                    if (down)
                    {
                        S.Store(r10, y10 + f0);
                        if (right) S.Store(r11, y10 + f + f0);
                    }
                }
            }
        }
    }
}
