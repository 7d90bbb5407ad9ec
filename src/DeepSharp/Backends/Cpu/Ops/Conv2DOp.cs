
namespace DeepSharp.Backends.Cpu;

/// <summary>
/// 2-D convolution in NHWC with Keras' kernel layout (kh, kw, in, out), as im2col + GEMM.
/// Forward:  y[M×F] = col(x)[M×K] · W[K×F] + b       (M = batch·outH·outW, K = kh·kw·in)
/// Backward: dW[K×F] = col(x)ᵀ · dy,  db = Σ_M dy,  dx = col2im(dy · Wᵀ)
/// The batch is processed in chunks so the im2col buffer stays small.
/// </summary>
internal static class Conv2DOp
{
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
        if (CpuBackend.Settings.ImplicitGemm && g.InC >= 16)
        {
            ForwardImplicit(x, kernel, bias, y, g, epilogue);
            return;
        }
        ForwardDirect(x, kernel, bias, y, g, epilogue, ref workspace);
    }

    /// <summary>Implicit GEMM: the GEMM packs its A blocks straight from x; no column buffer is written.</summary>
    internal static void ForwardImplicit(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g, Epilogue epilogue)
    {
        int f = kernel.Dim(3);
        var biasSpan = bias is null ? default : (ReadOnlySpan<float>)bias.Span;
        Gemm.MultiplyRows(new Im2ColRows(x.Data, g), false, g.OutPixels, f, g.PatchSize, kernel.Span, f, y.Span, f, biasSpan, epilogue);
    }

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
        if (SparseConvGradient.TryBackward(x, kernel, dy, dx, dKernel, g, ref workspace)) return;
        if (dx is not null && WinogradConv.AppliesToInputGradient(g, f))
        {
            WinogradConv.InputGradient(dy, kernel, dx, g, ref workspace);
            dx = null;
        }
        if (dx is not null && HasImplicitInputGradient(g, f))
        {
            ImplicitInputGradient(dy, kernel, dx, g, ref workspace);
            dx = null;
        }
        if (dKernel is not null && WinogradConv.AppliesToKernelGradient(g, f))
        {
            WinogradConv.KernelGradient(x, dy, dKernel, g, ref workspace);
            dKernel = null;
        }
        if (dKernel is not null && CpuBackend.Settings.ImplicitGemm && g.InC >= 16)
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

    /// <summary>
    /// Whether dx is computed as a convolution of dy instead of dy·Wᵀ then col2im (stride 1, enough filters to fill
    /// the GEMM's depth, and 16 to 128 input channels: the GEMM's width, narrow enough that it reads its A rows in place;
    /// micro-kernels that always pack A keep col2im, as measured before).
    /// Measured on one AVX2 core (CPU time, cats-vs-dogs convnet, batch 20): conv2d_1 (32→64 channels) 96-106 ms with
    /// col2im, 56-64 ms this way; conv2d_2 (64→128) 52-58 vs 47-50 ms; 3 input channels ran slower (a GEMM 3 columns
    /// wide). It does InH·InW / (OutH·OutW) times the multiply-adds of dy·Wᵀ (the zero padding around dy), so small
    /// outputs keep col2im: MNIST's conv2d_2 (5×5 → 3×3, 2.8×) took 2.4 ms this way against 1.5-1.8 ms; its conv2d_1
    /// (13×13 → 11×11, 1.4×) 11.2 ms against 12.4-13.5 ms. <see cref="CpuBackendOptions.ImplicitInputGradient"/> turns it off.
    /// </summary>
    internal static bool HasImplicitInputGradient(in ConvGeometry g, int filters) =>
        CpuBackend.Settings.ImplicitInputGradient && g.StrideH == 1 && g.StrideW == 1 && filters >= 16 && g.InC >= 16
        && g.InC <= Gemm.ReadRowsMaxColumns && g.PadTop < g.KH && g.PadLeft < g.KW
        && 2L * g.InH * g.InW <= 3L * g.OutH * g.OutW;

    /// <summary>
    /// dx = dy ⋆ rot180(w)ᵀ, a stride-1 convolution of dy (F channels in, C out) padded by (KH-1-padTop, KW-1-padLeft):
    /// dx[n, iy, ix, c] = Σ dy[n, iy + padTop - ky, ix + padLeft - kx, f] · w[ky, kx, c, f], zero outside dy. Run as an
    /// implicit GEMM (the GEMM packs dy's patches itself), so there is no column buffer and no col2im scatter.
    /// </summary>
    internal static void ImplicitInputGradient(Tensor dy, Tensor kernel, Tensor dx, in ConvGeometry g, ref float[]? workspace)
    {
        int c = g.InC, f = kernel.Dim(3), kh = g.KH, kw = g.KW;
        // dy's geometry as the input of that convolution: its output is dx's (InH, InW).
        var gd = new ConvGeometry(g.Batch, g.OutH, g.OutW, f, kh, kw, 1, 1, kh - 1 - g.PadTop, kw - 1 - g.PadLeft, g.InH, g.InW);
        // w'[ky, kx, f, c] = w[KH-1-ky, KW-1-kx, c, f]: the GEMM's B, (KH·KW·F) × C.
        var flipped = Workspace(ref workspace, kh * kw * c * f);
        var w = kernel.Span;
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
            {
                int src = ((kh - 1 - ky) * kw + (kw - 1 - kx)) * c * f, dst = (ky * kw + kx) * f * c;
                for (int ci = 0; ci < c; ci++)
                    for (int fi = 0; fi < f; fi++)
                        flipped[dst + fi * c + ci] = w[src + ci * f + fi];
            }
        Gemm.MultiplyRows(new Im2ColRows(dy.Data, gd), false, gd.OutPixels, c, gd.PatchSize, flipped.AsSpan(0, gd.PatchSize * c), c, dx.Span, c);
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
                        if (inside) { PatchKernels.Copy(rowBase + ix0 * c, dst, rowLen); continue; }
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int ix = ix0 + kx;
                            if ((uint)ix >= (uint)g.InW) new Span<float>(dst + kx * c, c).Clear();
                            else PatchKernels.Copy(rowBase + ix * c, dst + kx * c, c);
                        }
                    }
                }
            }
        }
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
        if (tasks <= 1) { PatchKernels.Col2ImRows(col, g, n0, dx, 0, rows); return; }
        Workers.For(tasks, t => PatchKernels.Col2ImRows(col, g, n0, dx, (int)((long)rows * t / tasks), (int)((long)rows * (t + 1) / tasks)));
    }

    /// <summary>
    /// True when the kernel and bias gradients of this convolution (a first layer on few channels, no input gradient
    /// needed) can run in one pass over dy with ReLU's mask fused (<see cref="FusedKernelGradient"/>).
    /// </summary>
    internal static bool HasFusedKernelGradient(in ConvGeometry g, int filters) => DirectKernelGradient.Applies(g, filters);

    /// <summary>dKernel = col(x)ᵀ · dz and dBias = Σ dz (optional) with dz = relu ? (y &gt; 0 ? dy : 0) : dy, in one pass.</summary>
    internal static void FusedKernelGradient(float[] x, float[]? y, float[] dy, bool relu, Span<float> dKernel, Span<float> dBias, in ConvGeometry g, int f) =>
        DirectKernelGradient.Run(x, y, dy, relu, dKernel, dBias, g, f);

    /// <summary>The same gradients with dz from the max pooling that follows (<see cref="MaxPoolGradient"/>), in one pass.</summary>
    internal static void FusedKernelGradientThroughMaxPool(float[] x, in MaxPoolGradient pooled, bool relu, Span<float> dKernel, Span<float> dBias, in ConvGeometry g, int f) =>
        DirectKernelGradient.RunThroughMaxPool(x, pooled, relu, dKernel, dBias, g, f);

    /// <summary>sums[j] = Σ_i m[i, j] for a rows×cols row-major matrix.</summary>
    internal static void ColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums) =>
        VectorOps.ColumnSums(m, rows, cols, sums);

    /// <summary>
    /// Images per im2col chunk: as many as fit <see cref="CpuBackendOptions.Im2ColChunkFloats"/> (at least one). Measured
    /// (load ~1.5, s per cats-vs-dogs step / MNIST epoch): 512K floats 0.163 / 8.32, 1M 0.161 / 8.39, 2M 0.170 / 8.38,
    /// 4M 0.172 / 7.74, 16M 0.194 / -.
    /// </summary>
    internal static int ChunkImages(in ConvGeometry g)
    {
        int maxColumnFloats = CpuBackend.Settings.Im2ColChunkFloats;
        long perImage = (long)g.OutH * g.OutW * g.PatchSize;
        return (int)Math.Clamp(maxColumnFloats / Math.Max(perImage, 1), 1, Math.Max(g.Batch, 1));
    }

    internal static float[] Workspace(ref float[]? buffer, int size)
    {
        if (buffer is null || buffer.Length < size) buffer = GC.AllocateUninitializedArray<float>(size);
        return buffer;
    }
}
