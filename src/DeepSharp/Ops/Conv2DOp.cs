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
    /// <summary>Largest im2col buffer (floats) one chunk may use.</summary>
    private const int MaxColumnFloats = 4 << 20;

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
        int chunk = ChunkImages(g);
        var col = Workspace(ref workspace, chunk * perImage * k);
        if (dx is not null) dx.Span.Clear();
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
        int k = g.PatchSize, c = g.InC, rowLen = g.KW * c;
        int rows = nb * g.OutH;
        Workers.For(Math.Min(rows, Workers.ThreadCount * 4), t =>
        {
            int per = (rows + Workers.ThreadCount * 4 - 1) / (Workers.ThreadCount * 4);
            int r0 = t * per, r1 = Math.Min(rows, r0 + per);
            for (int r = r0; r < r1; r++)
            {
                int n = n0 + r / g.OutH, oy = r % g.OutH;
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    var dst = col.AsSpan((r * g.OutW + ox) * k, k);
                    int ix0 = ox * g.StrideW - g.PadLeft;
                    for (int ky = 0; ky < g.KH; ky++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + ky;
                        var d = dst.Slice(ky * rowLen, rowLen);
                        if ((uint)iy >= (uint)g.InH) { d.Clear(); continue; }
                        int rowBase = ((n * g.InH + iy) * g.InW) * c;
                        if (ix0 >= 0 && ix0 + g.KW <= g.InW)
                        {
                            x.AsSpan(rowBase + ix0 * c, rowLen).CopyTo(d);
                            continue;
                        }
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int ix = ix0 + kx;
                            var dd = d.Slice(kx * c, c);
                            if ((uint)ix >= (uint)g.InW) dd.Clear();
                            else x.AsSpan(rowBase + ix * c, c).CopyTo(dd);
                        }
                    }
                }
            }
        });
    }

    /// <summary>The adjoint of Im2Col: adds each patch row back into dx (which the caller cleared).</summary>
    internal static void Col2Im(float[] col, ConvGeometry g, int n0, int nb, float[] dx)
    {
        int k = g.PatchSize, c = g.InC;
        // One image per task: windows of different images never overlap, so no two threads write the same dx.
        Workers.For(nb, i =>
        {
            int n = n0 + i;
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    var src = col.AsSpan(((i * g.OutH + oy) * g.OutW + ox) * k, k);
                    for (int ky = 0; ky < g.KH; ky++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + ky;
                        if ((uint)iy >= (uint)g.InH) continue;
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int ix = ox * g.StrideW - g.PadLeft + kx;
                            if ((uint)ix >= (uint)g.InW) continue;
                            var d = dx.AsSpan(((n * g.InH + iy) * g.InW + ix) * c, c);
                            System.Numerics.Tensors.TensorPrimitives.Add(d, src.Slice((ky * g.KW + kx) * c, c), d);
                        }
                    }
                }
        });
    }

    /// <summary>sums[j] = Σ_i m[i, j] for a rows×cols row-major matrix.</summary>
    internal static void ColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums) =>
        VectorOps.ColumnSums(m, rows, cols, sums);

    private static int ChunkImages(in ConvGeometry g)
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
