
namespace DeepSharp.Backends.Cpu;

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
/// Channels are vectorized one vector at a time (<see cref="WinogradTransforms"/>, at the widest accelerated width
/// whose lanes divide both), so C and F must be multiples of 4, 8 or 16. Results equal the direct path
/// within float32 rounding (the transforms add and subtract, so errors grow a little with the values' range).
/// </summary>
internal static class WinogradConv
{
    /// <summary>Floats of transformed inputs and products one chunk of tiles may use (keeps them in cache).</summary>
    private const int ChunkFloats = 1 << 21;

    /// <summary>
    /// True when the Winograd path computes this convolution (and pays: enough channels and tiles; the thresholds and
    /// their measurements are <see cref="CpuBackendOptions.Winograd"/> and <see cref="CpuBackendOptions.WinogradMinChannels"/>).
    /// </summary>
    public static bool Applies(in ConvGeometry g, int filters)
    {
        var o = CpuBackend.Settings;
        return o.Winograd && Width(g.InC, filters) != VectorWidth.Scalar && g.KH == 3 && g.KW == 3 && g.StrideH == 1 && g.StrideW == 1
            && g.InC >= o.WinogradMinChannels && g.OutH * g.OutW >= 64;
    }

    /// <summary>The vector width the transforms run at (Scalar: none fits, no Winograd).</summary>
    /// <remarks>Only the machine's own width: the rule measured on AVX-512 (multiples of 16), scaled to each width,
    /// so no layer changes path on an AVX-512 machine. Lanes are powers of two: they divide c | f iff they divide both.</remarks>
    private static VectorWidth Width(int c, int f) =>
        VectorPaths.Best != VectorWidth.Scalar && (c | f) % VectorPaths.Lanes(VectorPaths.Best) == 0 ? VectorPaths.Best : VectorWidth.Scalar;

    /// <summary>y = conv(x, kernel) + bias, then the epilogue; same contract as <see cref="Conv2DOp.Forward"/>.</summary>
    /// <paramref name="width"/> forces the transforms' vector width and <paramref name="perThread"/> the chunking (tests run each).
    public static void Forward(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g,
        Epilogue epilogue, ref float[]? workspace, VectorWidth? width = null, bool? perThread = null)
    {
        int f = kernel.Dim(3);
        var plan = Plan(g, f, perThread);
        var work = Conv2DOp.Workspace(ref workspace, WorkspaceSize(g, f, 0, plan));
        Run(x.Data, g, kernel.Span, f, bias?.Data ?? [], epilogue == Epilogue.Relu, y.Data, work, 0, width ?? Width(g.InC, f), plan);
    }

    /// <summary>
    /// True when the input gradient of this convolution runs on the Winograd path: it is itself a 3×3
    /// stride-1 convolution of dy (F channels in, C out) with the kernel turned by 180° and transposed.
    /// </summary>
    /// <remarks>Off by default (<see cref="CpuBackendOptions.WinogradInputGradient"/>): on the cats-vs-dogs convnet it
    /// ran no faster than dy·Wᵀ + col2im (conv2d_2: 33.0 vs 33.5 ms, conv2d_3: 14.5 vs 14.5 ms backward) and slower on
    /// MNIST's C = 32 conv (6.3 vs 4.2 ms). Tests run it directly.</remarks>
    public static bool AppliesToInputGradient(in ConvGeometry g, int filters)
    {
        var o = CpuBackend.Settings;
        return o.WinogradInputGradient && o.Winograd && Width(g.InC, filters) != VectorWidth.Scalar && g.KH == 3 && g.KW == 3
            && g.StrideH == 1 && g.StrideW == 1 && filters >= o.WinogradMinChannels && g.InH * g.InW >= 64
            && g.PadTop <= 2 && g.PadLeft <= 2;
    }

    /// <summary>
    /// dx = dy ⋆ rot180(w)ᵀ: dx[n, iy, ix, c] = Σ dy[n, iy + padTop - ky, ix + padLeft - kx, f] · w[ky, kx, c, f]
    /// (zero outside dy), overwriting dx.
    /// </summary>
    public static void InputGradient(Tensor dy, Tensor kernel, Tensor dx, in ConvGeometry g, ref float[]? workspace, VectorWidth? width = null)
    {
        int c = g.InC, f = kernel.Dim(3);
        var gd = new ConvGeometry(g.Batch, g.OutH, g.OutW, f, 3, 3, 1, 1, 2 - g.PadTop, 2 - g.PadLeft, g.InH, g.InW);
        int flipped = 9 * c * f;
        var plan = Plan(gd, c, null);
        var work = Conv2DOp.Workspace(ref workspace, WorkspaceSize(gd, c, flipped, plan));
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
        Run(dy.Data, gd, work.AsSpan(0, flipped), c, [], false, dx.Data, work, flipped, width ?? Width(c, f), plan);
    }

    /// <summary>
    /// Whether the kernel gradient takes the Winograd path: the forward's conditions, at least
    /// <see cref="CpuBackendOptions.WinogradKernelGradientMinChannels"/> input channels, and 16·C·F floats of partial
    /// sums per thread at most 1M (C·F ≤ 64K; larger layers not measured).
    /// </summary>
    /// <remarks>Its 16 GEMMs have C rows, F columns and the tiles as depth, so each packed float feeds only C or F
    /// multiply-adds: with 32 input channels packing eats the saving. Measured with <c>bench -- ab</c> on the 2-core AVX2
    /// VM (median on/off step-time ratio, alternated rounds): MNIST training (conv2d_1, 32→64) 1.04-1.06 from 32
    /// channels; cats-vs-dogs training 0.90 on 2 threads and 0.95 on one, the same from 64 channels as from 32. Whether it
    /// is on at each vector width is <see cref="CpuBackendOptions.WinogradKernelGradient"/>'s default (measured per width:
    /// <see cref="WidthDefaults"/>).</remarks>
    public static bool AppliesToKernelGradient(in ConvGeometry g, int filters)
    {
        var o = CpuBackend.Settings;
        return o.WinogradKernelGradient && Applies(g, filters) && g.InC >= o.WinogradKernelGradientMinChannels && (long)g.InC * filters <= 1 << 16;
    }

    /// <summary>
    /// dKernel (overwritten) from x and dz, the gradient at the convolution's output. The forward
    /// y = Aᵀ [U ⊙ V] A is linear in U = G w Gᵀ, so ∂L/∂U[ξ][c, f] = Σ_tiles V[ξ][tile, c] · W[ξ][tile, f] with
    /// W = A dz Aᵀ: 16 GEMMs whose depth is the tiles (16 multiplies per tile and channel pair instead of im2col's 36),
    /// then dKernel = Gᵀ (∂L/∂U) G. Each thread sums its chunks of tiles into its own ∂L/∂U; the partials are added at the end.
    /// </summary>
    public static void KernelGradient(Tensor x, Tensor dz, Tensor dKernel, in ConvGeometry g, ref float[]? workspace, VectorWidth? width = null)
    {
        int c = g.InC, f = dKernel.Dim(3);
        var vw = width ?? Width(c, f);
        if (vw == VectorWidth.Scalar || c % VectorPaths.Lanes(vw) != 0 || f % VectorPaths.Lanes(vw) != 0)
            throw new ArgumentException($"WinogradConv: {c} input and {f} output channels are not multiples of the {vw} vector's lanes.");
        int tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2, tileRows = g.Batch * tilesH;
        int slots = Math.Max(1, Workers.ThreadCount);
        // Deeper chunks than the forward's (256K floats): each GEMM's C (c × f) is loaded and stored once per chunk.
        int rows = Math.Clamp((1 << 18) / (16 * tilesW * (c + f)), 1, Math.Max(1, (tileRows + slots - 1) / slots));
        int chunks = (tileRows + rows - 1) / rows;
        slots = Math.Min(slots, chunks);   // every slot gets at least one chunk, so every partial is written
        int chunkFloats = 16 * rows * tilesW * (c + f), partial = 16 * c * f, slotFloats = chunkFloats + partial;
        var work = Conv2DOp.Workspace(ref workspace, slots * slotFloats);
        var geometry = g;
        Workers.For(slots, s =>
        {
            int vOffset = s * slotFloats, mOffset = vOffset + chunkFloats;
            for (int ch = s; ch < chunks; ch += slots)
            {
                int first = ch * rows, count = Math.Min(rows, tileRows - first), tiles = count * tilesW;
                int wOffset = vOffset + 16 * tiles * c;
                for (int r = 0; r < count; r++)
                {
                    WinogradTransforms.InputRow(vw, x.Data, geometry, first + r, r * tilesW, tiles, work, vOffset);
                    WinogradTransforms.GradientRow(vw, dz.Data, geometry, f, first + r, r * tilesW, tiles, work, wOffset);
                }
                for (int xi = 0; xi < 16; xi++)
                    Gemm.Multiply(true, false, c, f, tiles, work.AsSpan(vOffset + xi * tiles * c, tiles * c), c,
                        work.AsSpan(wOffset + xi * tiles * f, tiles * f), f, work.AsSpan(mOffset + xi * c * f, c * f), f, accumulate: ch != s);
            }
        });
        var sum = work.AsSpan(chunkFloats, partial);
        for (int s = 1; s < slots; s++)
            System.Numerics.Tensors.TensorPrimitives.Add(sum, work.AsSpan(s * slotFloats + chunkFloats, partial), sum);
        InverseTransformKernel(sum, c, f, dKernel.Span);
    }

    /// <summary>G (4×3, row-major), shared by the kernel transform and its adjoint.</summary>
    private static ReadOnlySpan<float> G => [1f, 0f, 0f, 0.5f, 0.5f, 0.5f, 0.5f, -0.5f, 0.5f, 0f, 0f, 1f];

    /// <summary>dw[ky, kx][c, f] = Σ_{ξ,ν} G[ξ, ky] G[ν, kx] m[ξ·4 + ν][c, f]: the adjoint of <see cref="TransformKernel"/>.</summary>
    internal static void InverseTransformKernel(ReadOnlySpan<float> m, int c, int f, Span<float> dw)
    {
        int cf = c * f;
        dw.Slice(0, 9 * cf).Clear();
        for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++)
            {
                var dst = dw.Slice((ky * 3 + kx) * cf, cf);
                for (int xi = 0; xi < 4; xi++)
                    for (int nu = 0; nu < 4; nu++)
                    {
                        float s = G[xi * 3 + ky] * G[nu * 3 + kx];
                        if (s != 0f) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(m.Slice((xi * 4 + nu) * cf, cf), s, dst, dst);
                    }
            }
    }

    private static int WorkspaceSize(in ConvGeometry g, int f, int offset, Chunks plan) =>
        checked((int)(offset + 16L * g.InC * f + Math.Max(plan.Slots, 1) * 16L * plan.Rows * ((g.OutW + 1) / 2) * (g.InC + f)));

    /// <summary>
    /// How the tiles are chunked: <see cref="Rows"/> rows of tiles per chunk; with <see cref="Slots"/> &gt; 0 each
    /// thread runs whole chunks (input transform, 16 GEMMs, output transform) in its own slot of the workspace, with 0
    /// each chunk's steps are split over the threads.
    /// </summary>
    internal readonly record struct Chunks(int Rows, int Slots);

    /// <summary>
    /// The chunking for this layer; <paramref name="perThread"/> forces one (tests), null applies the rule: each thread
    /// runs whole chunks of <see cref="CpuBackendOptions.WinogradThreadChunkFloats"/> floats, so that a chunk stays in
    /// its core's cache (<c>bench -- ab --switch winograd-per-thread</c> on the 2-core AVX2 VM, median on/off time ratio
    /// over 12-16 alternated rounds: MNIST training 0.96-0.97, inference 0.98, cats-vs-dogs training 0.98; 32K floats:
    /// 1.02, 128K: 0.96), or every chunk is split over the threads when that is 0.
    /// </summary>
    private static Chunks Plan(in ConvGeometry g, int f, bool? perThread)
    {
        int threadChunkFloats = CpuBackend.Settings.WinogradThreadChunkFloats;
        int tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2, tileRows = g.Batch * tilesH;
        int perRow = 16 * tilesW * (g.InC + f);
        int slots = perThread == true ? Math.Max(2, Workers.ThreadCount) : Workers.ThreadCount;
        int fit = threadChunkFloats / perRow;
        // Fewer than 32 tiles per GEMM and packing the 16 kernel matrices (C×F each, once per GEMM) costs more than
        // the cache saves (VGG16's 512-channel layers).
        bool own = perThread ?? (threadChunkFloats > 0 && slots > 1 && tileRows >= slots && fit * tilesW >= 32);
        return own ? new Chunks(Math.Clamp(fit, 1, Math.Max(1, tileRows / slots)), slots)
            : new Chunks(Math.Clamp(ChunkFloats / perRow, 1, tileRows), 0);
    }

    /// <summary>The Winograd convolution of x (geometry g) with a (3, 3, C, F) kernel into y, using work from offset on.</summary>
    private static void Run(float[] x, ConvGeometry g, ReadOnlySpan<float> kernel, int f, float[] bias, bool relu,
        float[] y, float[] work, int offset, VectorWidth width, Chunks plan)
    {
        if (width == VectorWidth.Scalar || g.InC % VectorPaths.Lanes(width) != 0 || f % VectorPaths.Lanes(width) != 0)
            throw new ArgumentException($"WinogradConv: {g.InC} input and {f} output channels are not multiples of the {width} vector's lanes.");
        int c = g.InC;
        int tilesH = (g.OutH + 1) / 2, tilesW = (g.OutW + 1) / 2;
        int tileRows = g.Batch * tilesH;
        int rowsPerChunk = plan.Rows;
        var u = work.AsSpan(offset, 16 * c * f);
        TransformKernel(kernel, c, f, u);
        if (plan.Slots > 0)
        {
            int chunkRows = plan.Rows, slots = plan.Slots;
            int chunks = (tileRows + chunkRows - 1) / chunkRows, slotFloats = 16 * chunkRows * tilesW * (c + f);
            int baseOffset = offset + 16 * c * f;
            Workers.For(slots, s =>
            {
                for (int ch = s; ch < chunks; ch += slots)
                {
                    int first = ch * chunkRows, rows = Math.Min(chunkRows, tileRows - first), tiles = rows * tilesW;
                    int vOffset = baseOffset + s * slotFloats, mOffset = vOffset + 16 * tiles * c;
                    for (int r = 0; r < rows; r++) WinogradTransforms.InputRow(width, x, g, first + r, r * tilesW, tiles, work, vOffset);
                    for (int xi = 0; xi < 16; xi++)
                        Gemm.Multiply(false, false, tiles, f, c, work.AsSpan(vOffset + xi * tiles * c, tiles * c), c,
                            work.AsSpan(offset + xi * c * f, c * f), f, work.AsSpan(mOffset + xi * tiles * f, tiles * f), f);
                    for (int r = 0; r < rows; r++) WinogradTransforms.OutputRow(width, work, mOffset, tiles, r * tilesW, g, first + r, f, bias, relu, y);
                }
            });
            return;
        }
        for (int row0 = 0; row0 < tileRows; row0 += rowsPerChunk)
        {
            int rows = Math.Min(rowsPerChunk, tileRows - row0);
            int tiles = rows * tilesW;
            int vOffset = offset + 16 * c * f, mOffset = vOffset + 16 * tiles * c;
            int start = row0;
            ParallelRows(rows, r => WinogradTransforms.InputRow(width, x, g, start + r, r * tilesW, tiles, work, vOffset));
            // The 16 products are independent: one per work item, each GEMM on one thread (a nested
            // Workers loop runs inline), so a chunk costs one dispatch instead of 16.
            int uOffset = offset;
            Workers.For(16, xi => Gemm.Multiply(false, false, tiles, f, c, work.AsSpan(vOffset + xi * tiles * c, tiles * c), c,
                work.AsSpan(uOffset + xi * c * f, c * f), f, work.AsSpan(mOffset + xi * tiles * f, tiles * f), f));
            ParallelRows(rows, r => WinogradTransforms.OutputRow(width, work, mOffset, tiles, r * tilesW, g, start + r, f, bias, relu, y));
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
        int cf = c * f;
        u.Slice(0, 16 * cf).Clear();
        for (int xi = 0; xi < 4; xi++)
            for (int nu = 0; nu < 4; nu++)
            {
                var dst = u.Slice((xi * 4 + nu) * cf, cf);
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++)
                    {
                        float s = G[xi * 3 + ky] * G[nu * 3 + kx];
                        if (s != 0f) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(w.Slice((ky * 3 + kx) * cf, cf), s, dst, dst);
                    }
            }
    }
}
