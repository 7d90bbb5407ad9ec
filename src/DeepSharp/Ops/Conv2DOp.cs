using System.Runtime.Intrinsics;
using DeepSharp.Compute;

namespace DeepSharp.Ops;

/// <summary>
/// 2-D convolution in NHWC with Keras' kernel layout (kh, kw, in, out), as im2col + GEMM.
/// Forward:  y[M×F] = col(x)[M×K] · W[K×F] + b       (M = batch·outH·outW, K = kh·kw·in)
/// Backward: dW[K×F] = col(x)ᵀ · dy,  db = Σ_M dy,  dx = col2im(dy · Wᵀ)
/// The batch is processed in chunks so the im2col buffer stays small.
/// </summary>
public static class Conv2DOp
{
    /// <summary>
    /// Largest im2col buffer (floats) one chunk may use (at least one image): 4 MB, so that the column buffer
    /// stays in the caches between im2col and the GEMM. Measured (load ~1.5, s per cats-vs-dogs step / MNIST
    /// epoch): 512K floats 0.163 / 8.32, 1M 0.161 / 8.39, 2M 0.170 / 8.38, 4M 0.172 / 7.74, 16M 0.194 / -.
    /// DEEPSHARP_COLUMN_FLOATS overrides it for measurements.
    /// </summary>
    internal static int MaxColumnFloats = int.TryParse(Environment.GetEnvironmentVariable("DEEPSHARP_COLUMN_FLOATS"), out int v) ? v : 1 << 20;

    /// <summary>y (N, outH, outW, F) = conv(x (N, H, W, C), kernel (KH, KW, C, F)) + bias, then the epilogue.</summary>
    public static void Forward(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g,
        Epilogue epilogue, ref float[]? workspace)
    {
        int f = kernel.Dim(3), k = g.PatchSize;
        var biasSpan = bias is null ? default : (ReadOnlySpan<float>)bias.Span;
        if (g.IsPointwise)
        {
            Gemm.Multiply(false, false, g.OutPixels, f, k, x.Span, k, kernel.Span, f, y.Span, f, false, biasSpan, epilogue);
            return;
        }
        if (WinogradConv.Applies(g, f))
        {
            WinogradConv.Forward(x, kernel, bias, y, g, epilogue, ref workspace);
            return;
        }
        if (ImplicitForward && g.InC >= 16)
        {
            // Implicit GEMM: the GEMM packs its A blocks straight from x; no column buffer is written.
            Gemm.MultiplyRows(new Im2ColRows(x.Data, g), false, g.OutPixels, f, k, kernel.Span, f, y.Span, f, biasSpan, epilogue);
            return;
        }
        ForwardDirect(x, kernel, bias, y, g, epilogue, ref workspace);
    }

    /// <summary>
    /// Whether the forward pass packs im2col rows inside the GEMM (DEEPSHARP_IMPLICIT=0 turns it off). Only from
    /// 16 input channels: with 1 or 3 the rows are runs of a few floats and a separate im2col pass is faster
    /// (cats-vs-dogs step 0.209 s with it on the first layer, 0.163 s without).
    /// </summary>
    internal static bool ImplicitForward = Environment.GetEnvironmentVariable("DEEPSHARP_IMPLICIT") != "0";

    /// <summary>The im2col + GEMM forward pass (the Winograd path is tested against it).</summary>
    internal static void ForwardDirect(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g,
        Epilogue epilogue, ref float[]? workspace)
    {
        int f = kernel.Dim(3), k = g.PatchSize;
        var biasSpan = bias is null ? default : (ReadOnlySpan<float>)bias.Span;
        int perImage = g.OutH * g.OutW;
        int chunk = ChunkImages(g);
        var col = Workspace(ref workspace, chunk * perImage * k);
        for (int n0 = 0; n0 < g.Batch; n0 += chunk)
        {
            int nb = Math.Min(chunk, g.Batch - n0);
            Im2Col(x.Data, g, n0, nb, col);
            Gemm.Multiply(false, false, nb * perImage, f, k, col, k, kernel.Span, f,
                y.Data.AsSpan(n0 * perImage * f, nb * perImage * f), f, false, biasSpan, epilogue);
        }
    }

    /// <summary>
    /// Gradients from dy (N, outH, outW, F): dKernel (overwritten), dBias (overwritten, optional),
    /// dx (overwritten, optional: pass null when no one needs the input gradient).
    /// </summary>
    public static void Backward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias,
        in ConvGeometry g, ref float[]? workspace)
    {
        int f = kernel.Dim(3), k = g.PatchSize, perImage = g.OutH * g.OutW;
        if (dBias is not null) ColumnSums(dy.Span, g.OutPixels, f, dBias.Span);
        if (g.IsPointwise)
        {
            if (dKernel is not null) Gemm.Multiply(true, false, k, f, g.OutPixels, x.Span, k, dy.Span, f, dKernel.Span, f);
            if (dx is not null) Gemm.Multiply(false, true, g.OutPixels, k, f, dy.Span, f, kernel.Span, f, dx.Span, k);
            return;
        }
        if (dx is not null && WinogradConv.AppliesToInputGradient(g, f))
        {
            WinogradConv.InputGradient(dy, kernel, dx, g, ref workspace);
            dx = null;
        }
        if (dKernel is not null && ImplicitForward && g.InC >= 16)
        {
            // dW = col(x)ᵀ · dy with the im2col rows packed inside the GEMM (no column buffer).
            Gemm.MultiplyRows(new Im2ColRows(x.Data, g), true, k, f, g.OutPixels, dy.Span, f, dKernel.Span, f);
            dKernel = null;
        }
        if (dKernel is null && dx is null) return;
        int chunk = ChunkImages(g);
        var col = Workspace(ref workspace, chunk * perImage * k);
        for (int n0 = 0; n0 < g.Batch; n0 += chunk)
        {
            int nb = Math.Min(chunk, g.Batch - n0);
            int m = nb * perImage;
            var dyChunk = dy.Data.AsSpan(n0 * perImage * f, m * f);
            if (dKernel is not null)
            {
                Im2Col(x.Data, g, n0, nb, col);
                Gemm.Multiply(true, false, k, f, m, col, k, dyChunk, f, dKernel.Span, f, accumulate: n0 > 0);
            }
            if (dx is not null)
            {
                Gemm.Multiply(false, true, m, k, f, dyChunk, f, kernel.Span, f, col, k);
                Col2Im(col, g, n0, nb, dx.Data);
            }
        }
    }

    /// <summary>Rows of patches: col[(n·outH + oy)·outW + ox, (ky·KW + kx)·C + c] = x[n, oy·s+ky-pad, ox·s+kx-pad, c] (0 outside).</summary>
    internal static void Im2Col(float[] x, ConvGeometry g, int n0, int nb, float[] col)
    {
        int rows = nb * g.OutH;
        int tasks = Math.Min(rows, Workers.ThreadCount * 4);
        if ((long)rows * g.OutW * g.PatchSize < VectorOps.ParallelMin) tasks = 1;
        if (tasks <= 1) { Im2ColRows(x, g, n0, col, 0, rows); return; }
        Workers.For(tasks, t => Im2ColRows(x, g, n0, col, (int)((long)rows * t / tasks), (int)((long)rows * (t + 1) / tasks)));
    }

    private static unsafe void Im2ColRows(float[] x, in ConvGeometry g, int n0, float[] col, int r0, int r1)
    {
        int k = g.PatchSize, c = g.InC, rowLen = g.KW * c;
        fixed (float* px = x, pcol = col)
        {
            for (int r = r0; r < r1; r++)
            {
                int n = n0 + r / g.OutH, oy = r % g.OutH;
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    float* dst = pcol + (long)(r * g.OutW + ox) * k;
                    int ix0 = ox * g.StrideW - g.PadLeft;
                    bool inside = ix0 >= 0 && ix0 + g.KW <= g.InW;
                    for (int ky = 0; ky < g.KH; ky++, dst += rowLen)
                    {
                        int iy = oy * g.StrideH - g.PadTop + ky;
                        if ((uint)iy >= (uint)g.InH) { new Span<float>(dst, rowLen).Clear(); continue; }
                        float* rowBase = px + (long)(n * g.InH + iy) * g.InW * c;
                        if (inside) { Copy(rowBase + ix0 * c, dst, rowLen); continue; }
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int ix = ix0 + kx;
                            if ((uint)ix >= (uint)g.InW) new Span<float>(dst + kx * c, c).Clear();
                            else Copy(rowBase + ix * c, dst + kx * c, c);
                        }
                    }
                }
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static unsafe void Copy(float* src, float* dst, int count)
    {
        int i = 0;
        for (; i + 16 <= count; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
        for (; i < count; i++) dst[i] = src[i];
    }

    /// <summary>
    /// The adjoint of Im2Col, as a gather: each dx pixel sums the patch entries that read it, so every
    /// dx value is written once (no clearing, no two threads writing the same value).
    /// </summary>
    internal static void Col2Im(float[] col, ConvGeometry g, int n0, int nb, float[] dx)
    {
        int rows = nb * g.InH;
        int tasks = Math.Min(rows, Workers.ThreadCount * 4);
        if ((long)rows * g.InW * g.PatchSize < VectorOps.ParallelMin) tasks = 1;
        if (tasks <= 1) { Col2ImRows(col, g, n0, dx, 0, rows); return; }
        Workers.For(tasks, t => Col2ImRows(col, g, n0, dx, (int)((long)rows * t / tasks), (int)((long)rows * (t + 1) / tasks)));
    }

    private static unsafe void Col2ImRows(float[] col, in ConvGeometry g, int n0, float[] dx, int r0, int r1)
    {
        int k = g.PatchSize, c = g.InC;
        Span<float> tail = stackalloc float[16];
        fixed (float* pcol = col, pdx = dx)
        {
            for (int r = r0; r < r1; r++)
            {
                int i = r / g.InH, iy = r % g.InH, n = n0 + i;
                for (int ix = 0; ix < g.InW; ix++)
                {
                    float* d = pdx + (long)((n * g.InH + iy) * g.InW + ix) * c;
                    for (int c0 = 0; c0 < c; c0 += 64)
                    {
                        int width = Math.Min(64, c - c0);
                        var a0 = Vector512<float>.Zero; var a1 = Vector512<float>.Zero;
                        var a2 = Vector512<float>.Zero; var a3 = Vector512<float>.Zero;
                        tail.Clear();
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
                                int j = 0;
                                if (width >= 16) { a0 += Vector512.Load(s); j = 16; }
                                if (width >= 32) { a1 += Vector512.Load(s + 16); j = 32; }
                                if (width >= 48) { a2 += Vector512.Load(s + 32); j = 48; }
                                if (width >= 64) { a3 += Vector512.Load(s + 48); j = 64; }
                                for (int t = 0; j < width; j++, t++) tail[t] += s[j];
                            }
                        }
                        float* o = d + c0;
                        int w = 0;
                        if (width >= 16) { a0.Store(o); w = 16; }
                        if (width >= 32) { a1.Store(o + 16); w = 32; }
                        if (width >= 48) { a2.Store(o + 32); w = 48; }
                        if (width >= 64) { a3.Store(o + 48); w = 64; }
                        for (int t = 0; w < width; w++, t++) o[w] = tail[t];
                    }
                }
            }
        }
    }

    /// <summary>sums[j] = Σ_i m[i, j] for a rows×cols row-major matrix.</summary>
    internal static void ColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums) =>
        VectorOps.ColumnSums(m, rows, cols, sums);

    internal static int ChunkImages(in ConvGeometry g)
    {
        long perImage = (long)g.OutH * g.OutW * g.PatchSize;
        return (int)Math.Clamp(MaxColumnFloats / Math.Max(perImage, 1), 1, Math.Max(g.Batch, 1));
    }

    internal static float[] Workspace(ref float[]? buffer, int size)
    {
        if (buffer is null || buffer.Length < size) buffer = GC.AllocateUninitializedArray<float>(size);
        return buffer;
    }
}
