using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The GEMM driver, BLIS-style: columns of C in NC blocks, depth in KC blocks (B packed into NR-column
/// panels), rows in MC blocks (A packed into MR-row panels), then the register-blocked micro-kernel over
/// MR×NR tiles. Bias and ReLU are applied in the micro-kernel's store after the last depth block.
/// Work is split over rows or columns of C (whichever has more tiles) across <see cref="Workers"/>;
/// each thread packs into its own buffers, allocated once and reused.
/// Even tiny products take the packed path: measured, it beat a plain loop from 4×4×4 up
/// (a plain scalar loop took 2.5 µs for 8×8×8, the packed path 0.6 µs).
/// </summary>
internal static unsafe class GemmKernels
{
    /// <summary>Columns of C per packed block of B.</summary>
    private const int NC = 3072;

    /// <summary>
    /// Widest C (columns per thread) for which micro-kernels that can read A's rows in place do so instead of packing
    /// A (<see cref="Backends.Cpu.CpuBackendOptions.GemmReadRowsMaxColumns"/>; 0: always pack).
    /// </summary>
    internal static int ReadRowsMaxColumns => Backends.Cpu.CpuBackend.Settings.GemmReadRowsMaxColumns;

    /// <summary>Below this many multiply-adds per thread a second thread costs more than it saves.</summary>
    private const long MinWorkPerThread = 1 << 16;

    /// <summary>The fastest path this CPU supports.</summary>
    public static readonly GemmPath BestPath = Detect();

    /// <summary>A path tests force (null: the one for the options' vector width).</summary>
    private static GemmPath? _forced;

    [ThreadStatic] private static PackBuffers? _buffers;

    /// <summary>The micro-kernel in use. Tests set it to run every path the CPU supports.</summary>
    public static GemmPath Path
    {
        get => _forced ?? For(VectorPaths.Best);
        set
        {
            if (!IsSupported(value))
                throw new PlatformNotSupportedException($"GEMM path {value} is not supported by this CPU (best: {BestPath}).");
            _forced = value == For(VectorPaths.Best) ? null : value;
        }
    }

    /// <summary>The widest supported micro-kernel no wider than <paramref name="width"/>.</summary>
    internal static GemmPath For(VectorWidth width) =>
        width >= VectorWidth.W512 && IsSupported(GemmPath.Avx512) ? GemmPath.Avx512
        : width >= VectorWidth.W256 && IsSupported(GemmPath.Avx2) ? GemmPath.Avx2
        : width >= VectorWidth.W128 && IsSupported(GemmPath.Vector128) ? GemmPath.Vector128
        : GemmPath.Portable;

    /// <summary>True when the micro-kernel in use reads A's rows in place for narrow C (<see cref="IMicroKernel.ReadsRows"/>).</summary>
    public static bool ReadsRows => Path switch
    {
        GemmPath.Avx512 => Reads<Kernel512>(),
        GemmPath.Avx2 => Reads<Kernel256>(),
        GemmPath.Vector128 => Reads<Kernel128>(),
        _ => Reads<KernelPortable>(),
    };

    private static bool Reads<TK>() where TK : struct, IMicroKernel => TK.ReadsRows;

    public static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Avx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        GemmPath.Avx2 => Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported,
        GemmPath.Vector128 => Vector128.IsHardwareAccelerated,
        _ => true,
    };

    private static GemmPath Detect() =>
        IsSupported(GemmPath.Avx512) ? GemmPath.Avx512 : IsSupported(GemmPath.Avx2) ? GemmPath.Avx2
        : IsSupported(GemmPath.Vector128) ? GemmPath.Vector128 : GemmPath.Portable;

    public static void Run(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias, Epilogue epilogue,
        IRowSource? source = null)
    {
        var g = new Args(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, epilogue == Epilogue.Relu, source);
        if (k == 0) ZeroDepth(g);
        else
        {
            switch (Path)
            {
                case GemmPath.Avx512: Blocked<Kernel512>(g); break;
                case GemmPath.Avx2: Blocked<Kernel256>(g); break;
                case GemmPath.Vector128: Blocked<Kernel128>(g); break;
                default: Blocked<KernelPortable>(g); break;
            }
        }
    }

    /// <summary>
    /// Splits C into one row or column range per thread (whichever has more tiles) and runs the blocked
    /// loops on each. When C has fewer tiles than threads, or the depth is much larger than C (weight
    /// gradients: k = batch × pixels), the depth is split instead and the partial products summed.
    /// </summary>
    private static void Blocked<TK>(Args g) where TK : struct, IMicroKernel
    {
        long work = (long)g.M * g.N * g.K;
        // Inside another loop's body (a Winograd chunk) the GEMM runs on its own thread: splitting it would only
        // pack the shared operand once per part, inline.
        int threads = Workers.InsideLoop ? 1 : (int)Math.Clamp(work / MinWorkPerThread, 1, Workers.ThreadCount);
        int mTiles = (g.M + TK.MR - 1) / TK.MR, nTiles = (g.N + TK.NR - 1) / TK.NR;
        bool splitRows = SplitRows(g.M, g.N, g.K, mTiles, nTiles, threads);
        int tiles = splitRows ? mTiles : nTiles;
        // Depth much larger than C (weight gradients: k = batch × pixels) also splits the depth: each
        // thread then streams whole rows of A and B. Measured on 288×64×7744 (transA), 2 threads:
        // 130 GFLOP/s split by rows, 170 to 195 split by depth.
        bool deep = g.K >= 8L * (g.M + g.N);
        if (threads > 1 && (tiles < threads || deep) && g.K >= 2 * TK.KC)
        {
            SplitDepth<TK>(g, Math.Min(threads, g.K / TK.KC));
            return;
        }
        threads = Math.Min(threads, tiles);
        if (threads == 1) Sequential<TK>(g, 0, g.M, 0, g.N, 0, g.K, (float*)g.C, g.Ldc, g.Accumulate, epilogue: true);
        else SplitRowsOrColumns<TK>(g, threads, tiles, splitRows);
    }

    /// <summary>
    /// Whether to give each thread a range of C's rows (true) or of its columns. Each thread packs the whole of the
    /// operand it does not split: a row split packs all of B (k×n) on every thread, a column split all of A (m×k).
    /// The choice minimises one thread's time: its share of the multiply-adds (stretched by the imbalance of the
    /// tile split) plus the floats it packs, each costed as <see cref="PackCost"/> multiply-adds. Before, the better
    /// balanced side won alone: the MNIST convnet's 7744×64×288 forward split its 4 column tiles, so both threads
    /// im2col-packed all of A and 2 threads ran no faster than 1.
    /// </summary>
    internal static bool SplitRows(int m, int n, int k, int mTiles, int nTiles, int threads)
    {
        if (nTiles < threads) return true;
        if (mTiles < threads) return false;
        double share = (double)m * n * k / threads;
        double rows = share / Balance(mTiles, threads) + PackCost * ((double)k * n + (double)m * k / threads);
        double columns = share / Balance(nTiles, threads) + PackCost * ((double)m * k + (double)k * n / threads);
        return rows <= columns;
    }

    /// <summary>Cost of packing one float, in multiply-adds (a packed float takes about a cycle; a cycle does 16 multiply-adds on AVX2).</summary>
    private const double PackCost = 8;

    /// <summary>Share of the threads kept busy when tiles are dealt out in equal contiguous ranges.</summary>
    private static double Balance(int tiles, int threads) =>
        (double)tiles / ((tiles + threads - 1) / threads * threads);

    /// <summary>One contiguous range of MR-row (or NR-column) tiles per thread. (Its own method so that
    /// the single-threaded path does not allocate the lambda's closure.)</summary>
    private static void SplitRowsOrColumns<TK>(Args g, int threads, int tiles, bool splitRows) where TK : struct, IMicroKernel
    {
        Workers.For(threads, t =>
        {
            int t0 = (int)((long)tiles * t / threads), t1 = (int)((long)tiles * (t + 1) / threads);
            if (splitRows) Sequential<TK>(g, t0 * TK.MR, Math.Min(g.M, t1 * TK.MR), 0, g.N, 0, g.K, (float*)g.C, g.Ldc, g.Accumulate, true);
            else Sequential<TK>(g, 0, g.M, t0 * TK.NR, Math.Min(g.N, t1 * TK.NR), 0, g.K, (float*)g.C, g.Ldc, g.Accumulate, true);
        });
    }

    /// <summary>
    /// Depth split: part 0 multiplies into C, the other parts into their thread's scratch buffer (m×n);
    /// then the scratch buffers are added to C and the bias and epilogue applied.
    /// </summary>
    private static void SplitDepth<TK>(Args g, int parts) where TK : struct, IMicroKernel
    {
        int blocks = (g.K + TK.KC - 1) / TK.KC;
        var partials = new nint[parts];
        Workers.For(parts, t =>
        {
            int p0 = (int)Math.Min(g.K, (long)blocks * t / parts * TK.KC);
            int p1 = (int)Math.Min(g.K, (long)blocks * (t + 1) / parts * TK.KC);
            if (t == 0)
            {
                Sequential<TK>(g, 0, g.M, 0, g.N, p0, p1, (float*)g.C, g.Ldc, g.Accumulate, epilogue: false);
                return;
            }
            var buffers = _buffers ??= new PackBuffers();
            float* scratch = buffers.Scratch((long)g.M * g.N);
            partials[t] = (nint)scratch;
            Sequential<TK>(g, 0, g.M, 0, g.N, p0, p1, scratch, g.N, accumulate: false, epilogue: false);
        });
        float* c = (float*)g.C, bias = (float*)g.Bias;
        for (int i = 0; i < g.M; i++)
        {
            float* ci = c + i * g.Ldc;
            for (int t = 1; t < parts; t++)
            {
                float* si = (float*)partials[t] + (nint)i * g.N;
                for (int j = 0; j < g.N; j++) ci[j] += si[j];
            }
            MergeRow(ci, g.N, 0f, load: true, bias, g.Relu);
        }
    }

    /// <summary>
    /// The five BLIS loops on rows [m0, m1), columns [n0, n1) and depth [p0, p1), on the calling thread,
    /// writing to c (same indexing as C). Bias and ReLU are applied only when epilogue is set.
    /// Narrow C (at most <see cref="ReadRowsMaxColumns"/> columns, a kernel that reads A's rows in place) runs the
    /// depth loop inside the row loop, with all of B packed once: each MC×nc block of C then stays in cache across
    /// the depth blocks instead of being reloaded from memory once per depth block (the MNIST forward's 7744×64
    /// C is 2 MB).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sequential<TK>(in Args g, int m0, int m1, int n0, int n1, int p0, int p1,
        float* c, nint ldc, bool accumulate, bool epilogue) where TK : struct, IMicroKernel
    {
        int mr = TK.MR, nr = TK.NR, kcMax = Math.Min(TK.KC, p1 - p0);
        int ncMax = Math.Min(NC, (n1 - n0 + nr - 1) / nr * nr);
        int mcMax = Math.Min(TK.MC, (m1 - m0 + mr - 1) / mr * mr);
        // Narrow C: A is read where it is (A's rows, or the row source's block; transposed only from a row source,
        // whose block has a short row stride) instead of packed.
        bool rowsA = TK.ReadsRows && (!g.TransA || g.Source is not null) && n1 - n0 <= ReadRowsMaxColumns;
        bool wholeB = rowsA && (long)(p1 - p0) * ncMax <= WholeBFloats;
        var buffers = _buffers ??= new PackBuffers();
        buffers.Ensure((long)mcMax * kcMax, (long)ncMax * (wholeB ? p1 - p0 : kcMax));
        var blk = new Block(buffers.A, buffers.B, g.Source is null ? null : buffers.Staging((long)kcMax * Math.Max(mr, mcMax)),
            c, ldc, epilogue, (float*)g.Bias, rowsA);

        // Depth blocks of equal size (k = 288 runs as 2 × 144, not 256 + 32: a thin last block
        // reloads and stores C for little work).
        int kBlocks = (p1 - p0 + TK.KC - 1) / TK.KC;
        int kcStep = (p1 - p0 + kBlocks - 1) / kBlocks;
        // B that is not transposed with rows exactly NR wide (32 conv filters, their output gradients)
        // already is one packed panel: read it in place. (Wider rows leave half the L1 sets unused:
        // measured slower for ldb = 2·NR.)
        bool bInPlace = !g.TransB && g.Ldb == nr;
        float* b = (float*)g.B;

        for (int jc = n0; jc < n1; jc += NC)
        {
            int nc = Math.Min(NC, n1 - jc);
            bool packedB = !bInPlace || nc % nr != 0;
            nint ncPadded = (nc + nr - 1) / nr * nr;
            if (wholeB)
            {
                if (packedB)
                    for (int pc = p0; pc < p1; pc += kcStep)
                        GemmPacking.PackB(g.TransB, b, g.Ldb, pc, Math.Min(kcStep, p1 - pc), jc, nc, nr, blk.PackB + (pc - p0) * ncPadded);
                for (int ic = m0; ic < m1; ic += TK.MC)
                    for (int pc = p0; pc < p1; pc += kcStep)
                    {
                        int kc = Math.Min(kcStep, p1 - pc);
                        float* pb = packedB ? blk.PackB + (pc - p0) * ncPadded : b + pc * g.Ldb + jc;
                        Run<TK>(g, blk, ic, Math.Min(TK.MC, m1 - ic), jc, nc, pc, kc, pb, packedB ? nr : g.Ldb,
                            load: pc > p0 || accumulate, last: pc + kc >= p1);
                    }
                continue;
            }
            for (int pc = p0; pc < p1; pc += kcStep)
            {
                int kc = Math.Min(kcStep, p1 - pc);
                if (packedB) GemmPacking.PackB(g.TransB, b, g.Ldb, pc, kc, jc, nc, nr, blk.PackB);
                float* pb = packedB ? blk.PackB : b + pc * g.Ldb + jc;
                for (int ic = m0; ic < m1; ic += TK.MC)
                    Run<TK>(g, blk, ic, Math.Min(TK.MC, m1 - ic), jc, nc, pc, kc, pb, packedB ? nr : g.Ldb,
                        load: pc > p0 || accumulate, last: pc + kc >= p1);
            }
        }
    }

    /// <summary>Most floats of B packed at once for the narrow loop order (1 MB; larger B takes the BLIS order).</summary>
    private const long WholeBFloats = 1 << 18;

    /// <summary>One thread's buffers and the C it writes, for <see cref="Run{TK}"/>.</summary>
    private readonly struct Block(float* packA, float* packB, float* staging, float* c, nint ldc, bool epilogue, float* bias, bool rowsA)
    {
        public readonly float* PackA = packA, PackB = packB, Staging = staging, C = c;
        /// <summary>The bias, or null (also when the epilogue is not applied by this call).</summary>
        public readonly float* Bias = epilogue ? bias : null;
        public readonly nint Ldc = ldc;
        public readonly bool Epilogue = epilogue, RowsA = rowsA;
    }

    /// <summary>
    /// One MC×kc block of A times the kc×nc block of B at <paramref name="b"/> (packed NR-column panels when ldb is NR,
    /// else B in place) into rows [ic, ic+mc), columns [jc, jc+nc) of C: A packed (or its rows located), then the
    /// micro-kernel over every MR×NR tile. The epilogue (bias, ReLU) is applied on the last depth block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TK>(in Args g, in Block blk, int ic, int mc, int jc, int nc, int pc, int kc, float* b, nint ldb,
        bool load, bool last) where TK : struct, IMicroKernel
    {
        int mr = TK.MR, nr = TK.NR;
        float* tile = stackalloc float[mr * nr];
        float* packA = blk.PackA, a = (float*)g.A, rows = null;
        // A read where it is: A(i, p) = rows[i·rs + p·ds].
        nint rs = 0, ds = 0, ldc = blk.Ldc;
        if (blk.RowsA && !g.TransA && g.Source is null) { rows = a + ic * g.Lda + pc; rs = g.Lda; ds = 1; }
        else if (blk.RowsA && !g.TransA) { g.Source!.Rows(ic, mc, pc, kc, blk.Staging); rows = blk.Staging; rs = kc; ds = 1; }
        // Transposed A from a row source (a convolution's kernel gradient): the source's rows are the depth.
        else if (blk.RowsA) { g.Source!.Rows(pc, kc, ic, mc, blk.Staging); rows = blk.Staging; rs = 1; ds = mc; }
        else if (g.Source is null) GemmPacking.PackA(g.TransA, a, g.Lda, ic, mc, pc, kc, mr, packA);
        else PackFromSource(g.Source, g.TransA, ic, mc, pc, kc, mr, blk.Staging, packA);
        bool relu = last && blk.Epilogue && g.Relu;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* pb = ldb == nr ? b + (nint)jr * kc : b + jr;
            float* biasJ = last && blk.Bias != null ? blk.Bias + jc + jr : null;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int count = Math.Min(mr, mc - ir);
                float* cij = blk.C + (ic + ir) * ldc + jc + jr;
                if (rows != null && count == mr)
                {
                    if (cols == nr) TK.RunStrided(kc, rows + ir * rs, rs, ds, pb, ldb, cij, ldc, load, biasJ, relu);
                    else
                    {
                        TK.RunStrided(kc, rows + ir * rs, rs, ds, pb, ldb, tile, nr, false, null, false);
                        MergeEdge(tile, nr, cij, ldc, count, cols, load, biasJ, relu);
                    }
                    continue;
                }
                float* pa = packA + (nint)ir * kc;
                // The last rows of a block read in place: packed here, zero-padded to MR.
                if (rows != null && ds == 1) GemmPacking.Transposed(rows + ir * rs, rs, count, kc, mr, pa);
                else if (rows != null) GemmPacking.Contiguous(rows + ir, ds, count, kc, mr, pa);
                if (count == mr && cols == nr)
                    TK.Run(kc, pa, pb, ldb, cij, ldc, load, biasJ, relu);
                else
                {
                    TK.Run(kc, pa, pb, ldb, tile, nr, false, null, false);
                    MergeEdge(tile, nr, cij, ldc, count, cols, load, biasJ, relu);
                }
            }
        }
    }

    /// <summary>
    /// Packs rows [i0, i0+mc), depth [p0, p0+kc) of op(A) from a row source. A as rows: MR source rows at a
    /// time into a small row-major block, then transposed into the panel. A transposed (the source's rows are
    /// the depth): kc source rows of mc values, then copied panel by panel.
    /// </summary>
    private static void PackFromSource(IRowSource source, bool transA, int i0, int mc, int p0, int kc, int mr, float* staging, float* dst)
    {
        if (transA)
        {
            source.Rows(p0, kc, i0, mc, staging);
            GemmPacking.Contiguous(staging, mc, mc, kc, mr, dst);
            return;
        }
        for (int ip = 0; ip < mc; ip += mr)
        {
            int count = Math.Min(mr, mc - ip);
            source.Rows(i0 + ip, count, p0, kc, staging);
            GemmPacking.Transposed(staging, kc, count, kc, mr, dst + (nint)ip * kc);
        }
    }

    /// <summary>Stores the valid rows×cols corner of an edge tile computed into a scratch tile.</summary>
    private static void MergeEdge(float* tile, int nr, float* c, nint ldc, int rows, int cols, bool load, float* bias, bool relu)
    {
        for (int i = 0; i < rows; i++)
        {
            float* ci = c + i * ldc, ti = tile + i * nr;
            for (int j = 0; j < cols; j++)
            {
                float v = ti[j];
                if (load) v += ci[j];
                if (bias != null) v += bias[j];
                if (relu && v < 0f) v = 0f;
                ci[j] = v;
            }
        }
    }

    /// <summary>k = 0: C = (accumulate ? C : 0) + bias, then the epilogue.</summary>
    private static void ZeroDepth(in Args g)
    {
        float* c = (float*)g.C, bias = (float*)g.Bias;
        for (int i = 0; i < g.M; i++)
            MergeRow(c + (nint)i * g.Ldc, g.N, 0f, g.Accumulate, bias, g.Relu);
    }

    private static void MergeRow(float* ci, int n, float zero, bool load, float* bias, bool relu)
    {
        for (int j = 0; j < n; j++)
        {
            float v = load ? ci[j] : zero;
            if (bias != null) v += bias[j];
            if (relu && v < 0f) v = 0f;
            ci[j] = v;
        }
    }

    /// <summary>One GEMM call's operands (pointers as nint so that worker lambdas can capture them).</summary>
    private readonly struct Args(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb,
        float* c, int ldc, bool accumulate, float* bias, bool relu, IRowSource? source)
    {
        public readonly IRowSource? Source = source;
        public readonly bool TransA = transA, TransB = transB, Accumulate = accumulate, Relu = relu;
        public readonly int M = m, N = n, K = k;
        public readonly nint A = (nint)a, B = (nint)b, C = (nint)c, Bias = (nint)bias;
        public readonly nint Lda = lda, Ldb = ldb, Ldc = ldc;
    }

    /// <summary>One thread's packing buffers: pinned, 64-byte aligned, grown only when a larger block is needed.</summary>
    private sealed class PackBuffers
    {
        private float[]? _a, _b, _scratch, _staging;
        private float* _scratchPtr, _stagingPtr;

        /// <summary>A buffer for rows from a row source, reused between calls.</summary>
        public float* Staging(long floats)
        {
            if (_staging == null || _staging.Length < floats + 16) _stagingPtr = Allocate(ref _staging, floats);
            return _stagingPtr;
        }
        public float* A, B;

        /// <summary>A buffer for a partial product (depth split), reused between calls.</summary>
        public float* Scratch(long floats)
        {
            if (_scratch == null || _scratch.Length < floats + 16) _scratchPtr = Allocate(ref _scratch, floats);
            return _scratchPtr;
        }

        public void Ensure(long aFloats, long bFloats)
        {
            if (_a == null || _a.Length < aFloats + 16) A = Allocate(ref _a, aFloats);
            if (_b == null || _b.Length < bFloats + 16) B = Allocate(ref _b, bFloats);
        }

        private static float* Allocate(ref float[]? array, long floats)
        {
            array = GC.AllocateUninitializedArray<float>(checked((int)floats + 16), pinned: true);
            nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            return (float*)((p + 63) & ~(nint)63);
        }
    }
}
