using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DeepSharp.Compute;

namespace DeepSharp.Ops;

/// <summary>
/// Winograd F(2×2, 3×3) forward convolution for 3×3 stride-1 kernels (Lavin and Gray, 2015): each 2×2 block of
/// outputs comes from a 4×4 input tile as Y = Aᵀ [(G w Gᵀ) ⊙ (Bᵀ d B)] A, so the 36 multiplies per channel pair of
/// the direct method become 16. The elementwise products over all tiles are 16 GEMMs
/// (tiles × C) · (C × F), one per tile position ξ, which run on the packed GEMM.
/// <code>
///      ⎡1  0 -1  0⎤        ⎡1    0    0 ⎤        ⎡1 1  1  0⎤
/// Bᵀ = ⎢0  1  1  0⎥    G = ⎢1/2  1/2  1/2⎥   Aᵀ = ⎣0 1 -1 -1⎦
///      ⎢0 -1  1  0⎥        ⎢1/2 -1/2  1/2⎥
///      ⎣0  1  0 -1⎦        ⎣0    0    1 ⎦
/// </code>
/// Channels are vectorized 16 at a time, so C and F must be multiples of 16. Results equal the direct path
/// within float32 rounding (the transforms add and subtract, so errors grow a little with the values' range).
/// </summary>
internal static unsafe class WinogradConv
{
    /// <summary>Floats of transformed inputs and products one chunk of tiles may use (keeps them in cache).</summary>
    private const int ChunkFloats = 1 << 21;

    /// <summary>
    /// Fewest input channels for which the path pays: the 16 GEMMs have depth C, and at C = 32 (MNIST's and
    /// cats-vs-dogs' second conv) they ran no faster than the direct path's depth 9·C.
    /// </summary>
    internal static int MinChannels = int.TryParse(Environment.GetEnvironmentVariable("DEEPSHARP_WINOGRAD_MIN_CHANNELS"), out int v) ? v : 64;

    /// <summary>
    /// Whether the input gradient takes the Winograd path. Off: measured on the cats-vs-dogs convnet it ran no
    /// faster than dy·Wᵀ + col2im (conv2d_2: 33.0 vs 33.5 ms, conv2d_3: 14.5 vs 14.5 ms backward) and slower
    /// on MNIST's C = 32 conv (6.3 vs 4.2 ms). Tests run it directly; flip it to measure larger layers.
    /// </summary>
    internal static bool InputGradientEnabled = Environment.GetEnvironmentVariable("DEEPSHARP_WINOGRAD_DGRAD") == "1";

    /// <summary>Turns the fast path off (the benchmark compares; tests call both paths directly).</summary>
    internal static bool Enabled = Environment.GetEnvironmentVariable("DEEPSHARP_WINOGRAD") != "0";

    /// <summary>True when the Winograd path computes this convolution (and pays: enough channels and tiles).</summary>
    public static bool Applies(in ConvGeometry g, int filters) =>
        Enabled && Vector512.IsHardwareAccelerated && g.KH == 3 && g.KW == 3 && g.StrideH == 1 && g.StrideW == 1
        && g.InC % 16 == 0 && filters % 16 == 0 && g.InC >= MinChannels && g.OutH * g.OutW >= 64;

    /// <summary>y = conv(x, kernel) + bias, then the epilogue; same contract as <see cref="Conv2DOp.Forward"/>.</summary>
    public static void Forward(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g,
        Epilogue epilogue, ref float[]? workspace)
    {
        int f = kernel.Dim(3);
        var work = Conv2DOp.Workspace(ref workspace, WorkspaceSize(g, f, 0));
        Run(x.Data, g, kernel.Span, f, bias?.Data ?? [], epilogue == Epilogue.Relu, y.Data, work, 0);
    }

    /// <summary>
    /// True when the input gradient of this convolution runs on the Winograd path: it is itself a 3×3
    /// stride-1 convolution of dy (F channels in, C out) with the kernel turned by 180° and transposed.
    /// </summary>
    public static bool AppliesToInputGradient(in ConvGeometry g, int filters) =>
        InputGradientEnabled && Enabled && Vector512.IsHardwareAccelerated && g.KH == 3 && g.KW == 3 && g.StrideH == 1 && g.StrideW == 1
        && g.InC % 16 == 0 && filters % 16 == 0 && filters >= MinChannels && g.InH * g.InW >= 64
        && g.PadTop <= 2 && g.PadLeft <= 2;

    /// <summary>
    /// dx = dy ⋆ rot180(w)ᵀ: dx[n, iy, ix, c] = Σ dy[n, iy + padTop - ky, ix + padLeft - kx, f] · w[ky, kx, c, f]
    /// (zero outside dy), overwriting dx.
    /// </summary>
    public static void InputGradient(Tensor dy, Tensor kernel, Tensor dx, in ConvGeometry g, ref float[]? workspace)
    {
        int c = g.InC, f = kernel.Dim(3);
        var gd = new ConvGeometry(g.Batch, g.OutH, g.OutW, f, 3, 3, 1, 1, 2 - g.PadTop, 2 - g.PadLeft, g.InH, g.InW);
        int flipped = 9 * c * f;
        var work = Conv2DOp.Workspace(ref workspace, WorkspaceSize(gd, c, flipped));
        // w'[ky, kx, f, c] = w[2 - ky, 2 - kx, c, f]
        var w = kernel.Span;
        for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++)
            {
                int src = ((2 - ky) * 3 + (2 - kx)) * c * f, dst = (ky * 3 + kx) * f * c;
                for (int ci = 0; ci < c; ci++)
                    for (int fi = 0; fi < f; fi++)
                        work[dst + fi * c + ci] = w[src + ci * f + fi];
            }
        Run(dy.Data, gd, work.AsSpan(0, flipped), c, [], false, dx.Data, work, flipped);
    }

    private static int WorkspaceSize(in ConvGeometry g, int f, int offset)
    {
        var (_, maxTiles) = Chunking(g, f);
        return checked((int)(offset + 16L * g.InC * f + 16L * maxTiles * (g.InC + f)));
    }

    private static (int RowsPerChunk, int MaxTiles) Chunking(in ConvGeometry g, int f)
    {
        int tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2;
        int rowsPerChunk = Math.Clamp(ChunkFloats / (16 * tilesW * (g.InC + f)), 1, g.Batch * tilesH);
        return (rowsPerChunk, rowsPerChunk * tilesW);
    }

    /// <summary>The Winograd convolution of x (geometry g) with a (3, 3, C, F) kernel into y, using work from offset on.</summary>
    private static void Run(float[] x, ConvGeometry g, ReadOnlySpan<float> kernel, int f, float[] bias, bool relu,
        float[] y, float[] work, int offset)
    {
        int c = g.InC;
        int tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2;
        int tileRows = g.Batch * tilesH;
        var (rowsPerChunk, _) = Chunking(g, f);
        var u = work.AsSpan(offset, 16 * c * f);
        TransformKernel(kernel, c, f, u);
        for (int row0 = 0; row0 < tileRows; row0 += rowsPerChunk)
        {
            int rows = Math.Min(rowsPerChunk, tileRows - row0);
            int tiles = rows * tilesW;
            int vOffset = offset + 16 * c * f, mOffset = vOffset + 16 * tiles * c;
            int start = row0;
            ParallelRows(rows, r => TransformInputRow(x, g, start + r, r * tilesW, tiles, work, vOffset));
            // The 16 products are independent: one per work item, each GEMM on one thread (a nested
            // Workers loop runs inline), so a chunk costs one dispatch instead of 16.
            int uOffset = offset;
            Workers.For(16, xi => Gemm.Multiply(false, false, tiles, f, c, work.AsSpan(vOffset + xi * tiles * c, tiles * c), c,
                work.AsSpan(uOffset + xi * c * f, c * f), f, work.AsSpan(mOffset + xi * tiles * f, tiles * f), f));
            ParallelRows(rows, r => TransformOutputRow(work, mOffset, tiles, r * tilesW, g, start + r, f, bias, relu, y));
        }
    }

    private static void ParallelRows(int rows, Action<int> body)
    {
        if (rows == 1) { body(0); return; }
        Workers.For(rows, body);
    }

    /// <summary>u[ξ·4 + ν][c, f] = Σ_{ky,kx} G[ξ, ky] G[ν, kx] w[ky, kx, c, f].</summary>
    internal static void TransformKernel(ReadOnlySpan<float> w, int c, int f, Span<float> u)
    {
        ReadOnlySpan<float> gm = [1f, 0f, 0f, 0.5f, 0.5f, 0.5f, 0.5f, -0.5f, 0.5f, 0f, 0f, 1f];
        int cf = c * f;
        u.Slice(0, 16 * cf).Clear();
        for (int xi = 0; xi < 4; xi++)
            for (int nu = 0; nu < 4; nu++)
            {
                var dst = u.Slice((xi * 4 + nu) * cf, cf);
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++)
                    {
                        float s = gm[xi * 3 + ky] * gm[nu * 3 + kx];
                        if (s != 0f) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(w.Slice((ky * 3 + kx) * cf, cf), s, dst, dst);
                    }
            }
    }

    /// <summary>V[ξ][tile, c] = (Bᵀ d B)[ξ] for every tile of one row of tiles (tile row index = n·tilesH + ty).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformInputRow(float[] x, in ConvGeometry g, int tileRow, int tile0, int tiles, float[] work, int vOffset)
    {
        int c = g.InC, tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2;
        int n = tileRow / tilesH, ty = tileRow % tilesH;
        int iy0 = 2 * ty - g.PadTop;
        long plane = (long)tiles * c;
        fixed (float* px = x, pw = work)
        {
            float* v = pw + vOffset;
            var d = stackalloc Vector512<float>[16];
            for (int tx = 0; tx < tilesW; tx++)
            {
                int ix0 = 2 * tx - g.PadLeft;
                bool inside = iy0 >= 0 && iy0 + 4 <= g.InH && ix0 >= 0 && ix0 + 4 <= g.InW;
                float* dst = v + (long)(tile0 + tx) * c;
                for (int c0 = 0; c0 < c; c0 += 16)
                {
                    for (int i = 0; i < 4; i++)
                    {
                        int iy = iy0 + i;
                        for (int j = 0; j < 4; j++)
                        {
                            int ix = ix0 + j;
                            d[i * 4 + j] = inside || ((uint)iy < (uint)g.InH && (uint)ix < (uint)g.InW)
                                ? Vector512.Load(px + ((long)(n * g.InH + iy) * g.InW + ix) * c + c0)
                                : Vector512<float>.Zero;
                        }
                    }
                    // Rows: t = Bᵀ d.
                    for (int j = 0; j < 4; j++)
                    {
                        var d0 = d[j]; var d1 = d[4 + j]; var d2 = d[8 + j]; var d3 = d[12 + j];
                        d[j] = d0 - d2; d[4 + j] = d1 + d2; d[8 + j] = d2 - d1; d[12 + j] = d1 - d3;
                    }
                    // Columns: v = t B, stored at plane ξ = 4i + j.
                    float* o = dst + c0;
                    for (int i = 0; i < 4; i++)
                    {
                        var t0 = d[i * 4]; var t1 = d[i * 4 + 1]; var t2 = d[i * 4 + 2]; var t3 = d[i * 4 + 3];
                        (t0 - t2).Store(o + (i * 4 + 0) * plane);
                        (t1 + t2).Store(o + (i * 4 + 1) * plane);
                        (t2 - t1).Store(o + (i * 4 + 2) * plane);
                        (t1 - t3).Store(o + (i * 4 + 3) * plane);
                    }
                }
            }
        }
    }

    /// <summary>y (2×2 per tile) = Aᵀ m A + bias, then ReLU, for one row of tiles; outputs past the edge are skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformOutputRow(float[] work, int mOffset, int tiles, int tile0, in ConvGeometry g, int tileRow,
        int f, float[] bias, bool relu, float[] y)
    {
        int tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2;
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
                for (int f0 = 0; f0 < f; f0 += 16)
                {
                    float* s = src + f0;
                    // s_0j = m0j + m1j + m2j, s_1j = m1j - m2j - m3j (Aᵀ m), then the same on columns (· A).
                    var s00 = Vector512.Load(s) + Vector512.Load(s + 4 * plane) + Vector512.Load(s + 8 * plane);
                    var s01 = Vector512.Load(s + plane) + Vector512.Load(s + 5 * plane) + Vector512.Load(s + 9 * plane);
                    var s02 = Vector512.Load(s + 2 * plane) + Vector512.Load(s + 6 * plane) + Vector512.Load(s + 10 * plane);
                    var s03 = Vector512.Load(s + 3 * plane) + Vector512.Load(s + 7 * plane) + Vector512.Load(s + 11 * plane);
                    var s10 = Vector512.Load(s + 4 * plane) - Vector512.Load(s + 8 * plane) - Vector512.Load(s + 12 * plane);
                    var s11 = Vector512.Load(s + 5 * plane) - Vector512.Load(s + 9 * plane) - Vector512.Load(s + 13 * plane);
                    var s12 = Vector512.Load(s + 6 * plane) - Vector512.Load(s + 10 * plane) - Vector512.Load(s + 14 * plane);
                    var s13 = Vector512.Load(s + 7 * plane) - Vector512.Load(s + 11 * plane) - Vector512.Load(s + 15 * plane);
                    var b = bias.Length > 0 ? Vector512.Load(pb + f0) : Vector512<float>.Zero;
                    var r00 = s00 + s01 + s02 + b;
                    var r01 = s01 - s02 - s03 + b;
                    var r10 = s10 + s11 + s12 + b;
                    var r11 = s11 - s12 - s13 + b;
                    if (relu)
                    {
                        r00 = Vector512.Max(r00, Vector512<float>.Zero); r01 = Vector512.Max(r01, Vector512<float>.Zero);
                        r10 = Vector512.Max(r10, Vector512<float>.Zero); r11 = Vector512.Max(r11, Vector512<float>.Zero);
                    }
                    r00.Store(y00 + f0);
                    if (right) r01.Store(y00 + f + f0);
                    if (down)
                    {
                        r10.Store(y10 + f0);
                        if (right) r11.Store(y10 + f + f0);
                    }
                }
            }
        }
    }
}
