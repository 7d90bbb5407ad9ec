using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Memory-bound loops shared by several ops, vectorized and split across <see cref="Workers"/> only when
/// there is enough data (below <see cref="ParallelMin"/> values a second thread costs more than it saves).
/// </summary>
internal static unsafe class VectorOps
{
    /// <summary>Values below which an elementwise loop runs on the calling thread.</summary>
    public const int ParallelMin = 32768;

    [ThreadStatic] private static float[]? _partials;

    /// <summary>dx[i] = y[i] &gt; 0 ? dy[i] : 0 (ReLU's backward from its output). dy and dx may be the same array.</summary>
    public static void ReluBackward(float[] y, float[] dy, float[] dx, int length)
    {
        int tasks = Tasks(length);
        if (tasks <= 1) { ReluBackwardRange(y, dy, dx, 0, length); return; }
        Workers.For(tasks, t =>
        {
            var (i0, i1) = Range(length, t, tasks);
            ReluBackwardRange(y, dy, dx, i0, i1);
        });
    }

    private static void ReluBackwardRange(float[] y, float[] dy, float[] dx, int i0, int i1) =>
        ReluBackward(y.AsSpan(i0, i1 - i0), dy.AsSpan(i0, i1 - i0), dx.AsSpan(i0, i1 - i0));

    /// <summary>dx[i] = y[i] &gt; 0 ? dy[i] : 0 on the calling thread. dy and dx may be the same span.</summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, VectorWidth? width = null)
    {
        fixed (float* py = y, pdy = dy, pdx = dx)
        {
            int i = (width ?? VectorPaths.Best) switch
            {
                VectorWidth.W512 => ReluBackward<Vector512<float>, Simd512>(py, pdy, pdx, y.Length),
                VectorWidth.W256 => ReluBackward<Vector256<float>, Simd256>(py, pdy, pdx, y.Length),
                VectorWidth.W128 => ReluBackward<Vector128<float>, Simd128>(py, pdy, pdx, y.Length),
                _ => 0,
            };
            for (; i < y.Length; i++) pdx[i] = py[i] > 0f ? pdy[i] : 0f;
        }
    }

    /// <summary>The whole vectors of <see cref="ReluBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, VectorWidth?)"/>; returns where the tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ReluBackward<TVec, S>(float* y, float* dy, float* dx, int length) where TVec : struct where S : struct, ISimd<TVec>
    {
        int i = 0;
        for (; i + S.Count <= length; i += S.Count) S.Store(S.KeepWherePositive(S.Load(dy + i), S.Load(y + i)), dx + i);
        return i;
    }

    /// <summary>
    /// ReLU's backward and the bias gradient in one pass: dx = y &gt; 0 ? dy : 0 over a rows×cols matrix, and
    /// sums[j] = Σ_i dx[i, j]. Needs cols a multiple of a vector's lanes (up to 1024); returns false (doing nothing)
    /// otherwise. <paramref name="width"/> forces a vector width (tests run each one); by default the widest
    /// accelerated one that divides cols.
    /// </summary>
    public static bool ReluBackwardColumnSums(float[] y, float[] dy, float[] dx, int rows, int cols, Span<float> sums, VectorWidth? width = null)
    {
        var w = width ?? VectorPaths.WidestDividing(cols, VectorPaths.Best);
        if (w == VectorWidth.Scalar || cols % VectorPaths.Lanes(w) != 0 || cols > 1024) return false;
        int tasks = Math.Min(Tasks((long)rows * cols), Workers.ThreadCount);
        if (tasks <= 1)
        {
            fixed (float* ps = sums) ReluColumnSumsRange(w, y, dy, dx, 0, rows, cols, ps);
            return true;
        }
        var partials = _partials is { } b && b.Length >= tasks * cols ? b : (_partials = new float[tasks * cols]);
        Workers.For(tasks, t =>
        {
            var (r0, r1) = Range(rows, t, tasks);
            fixed (float* pp = partials) ReluColumnSumsRange(w, y, dy, dx, r0, r1, cols, pp + t * cols);
        });
        partials.AsSpan(0, cols).CopyTo(sums);
        for (int t = 1; t < tasks; t++)
            System.Numerics.Tensors.TensorPrimitives.Add(sums, partials.AsSpan(t * cols, cols), sums);
        return true;
    }

    private static void ReluColumnSumsRange(VectorWidth width, float[] y, float[] dy, float[] dx, int r0, int r1, int cols, float* sums)
    {
        fixed (float* py = y, pdy = dy, pdx = dx)
        {
            switch (width)
            {
                case VectorWidth.W512: ReluColumnSumsRange<Vector512<float>, Simd512>(py, pdy, pdx, r0, r1, cols, sums); break;
                case VectorWidth.W256: ReluColumnSumsRange<Vector256<float>, Simd256>(py, pdy, pdx, r0, r1, cols, sums); break;
                default: ReluColumnSumsRange<Vector128<float>, Simd128>(py, pdy, pdx, r0, r1, cols, sums); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReluColumnSumsRange<TVec, S>(float* py, float* pdy, float* pdx, int r0, int r1, int cols, float* sums)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int lanes = S.Count, vectors = cols / lanes;
        // At most 1024 columns: 64 AVX-512 vectors, 256 of 128 bits (4 KiB of stack either way).
        var acc = stackalloc float[cols];
        new Span<float>(acc, cols).Clear();
        for (int i = r0; i < r1; i++)
        {
            long row = (long)i * cols;
            for (int j = 0; j < vectors; j++)
            {
                long o = row + j * lanes;
                var d = S.KeepWherePositive(S.Load(pdy + o), S.Load(py + o));
                S.Store(d, pdx + o);
                S.Store(S.Add(S.Load(acc + j * lanes), d), acc + j * lanes);
            }
        }
        new Span<float>(acc, cols).CopyTo(new Span<float>(sums, cols));
    }

    /// <summary>
    /// sums[j] = Σ_i m[i, j] for a rows×cols row-major matrix (the bias gradient). <paramref name="width"/> forces a
    /// vector width (tests run each one); by default the widest accelerated one that divides cols.
    /// </summary>
    public static void ColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums, VectorWidth? width = null)
    {
        var w = width ?? VectorPaths.WidestDividing(cols, VectorPaths.Best);
        if (w == VectorWidth.Scalar || cols % VectorPaths.Lanes(w) != 0 || cols > 1024)
        {
            sums.Clear();
            for (int i = 0; i < rows; i++)
                System.Numerics.Tensors.TensorPrimitives.Add(sums, m.Slice(i * cols, cols), sums);
            return;
        }
        fixed (float* pm = m, ps = sums)
        {
            int tasks = Math.Min(Tasks((long)rows * cols), Workers.ThreadCount);
            if (tasks <= 1) { ColumnSumsRange(w, pm, 0, rows, cols, ps); return; }
            // Each thread sums its block of rows; the partial sums are added in thread order (deterministic).
            var partials = _partials is { } b && b.Length >= tasks * cols ? b : (_partials = new float[tasks * cols]);
            nint mAddress = (nint)pm;
            Workers.For(tasks, t =>
            {
                var (r0, r1) = Range(rows, t, tasks);
                fixed (float* pp = partials) ColumnSumsRange(w, (float*)mAddress, r0, r1, cols, pp + t * cols);
            });
            partials.AsSpan(0, cols).CopyTo(sums);
            for (int t = 1; t < tasks; t++)
                System.Numerics.Tensors.TensorPrimitives.Add(sums, partials.AsSpan(t * cols, cols), sums);
        }
    }

    private static void ColumnSumsRange(VectorWidth width, float* m, int r0, int r1, int cols, float* sums)
    {
        switch (width)
        {
            case VectorWidth.W512: ColumnSumsRange<Vector512<float>, Simd512>(m, r0, r1, cols, sums); break;
            case VectorWidth.W256: ColumnSumsRange<Vector256<float>, Simd256>(m, r0, r1, cols, sums); break;
            default: ColumnSumsRange<Vector128<float>, Simd128>(m, r0, r1, cols, sums); break;
        }
    }

    /// <summary>Column sums of rows [r0, r1), four vectors of columns at a time (four independent chains of adds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnSumsRange<TVec, S>(float* m, int r0, int r1, int cols, float* sums)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int lanes = S.Count, block = 4 * lanes;
        for (int j = 0; j < cols; j += block)
        {
            int width = Math.Min(block, cols - j);
            var a0 = S.Zero; var a1 = S.Zero; var a2 = S.Zero; var a3 = S.Zero;
            float* p = m + (nint)r0 * cols + j;
            if (width == block)
                for (int i = r0; i < r1; i++, p += cols)
                {
                    a0 = S.Add(a0, S.Load(p)); a1 = S.Add(a1, S.Load(p + lanes));
                    a2 = S.Add(a2, S.Load(p + 2 * lanes)); a3 = S.Add(a3, S.Load(p + 3 * lanes));
                }
            else if (width == 3 * lanes)
                for (int i = r0; i < r1; i++, p += cols)
                {
                    a0 = S.Add(a0, S.Load(p)); a1 = S.Add(a1, S.Load(p + lanes)); a2 = S.Add(a2, S.Load(p + 2 * lanes));
                }
            else if (width == 2 * lanes)
                for (int i = r0; i < r1; i++, p += cols) { a0 = S.Add(a0, S.Load(p)); a1 = S.Add(a1, S.Load(p + lanes)); }
            else
                for (int i = r0; i < r1; i++, p += cols) a0 = S.Add(a0, S.Load(p));
            float* s = sums + j;
            S.Store(a0, s);
            if (width > lanes) S.Store(a1, s + lanes);
            if (width > 2 * lanes) S.Store(a2, s + 2 * lanes);
            if (width > 3 * lanes) S.Store(a3, s + 3 * lanes);
        }
    }

    private static int Tasks(long values) =>
        (int)Math.Clamp(values / ParallelMin, 1, Workers.ThreadCount);

    private static (int Start, int End) Range(int length, int t, int tasks)
    {
        // Boundaries on multiples of 16 so that each thread's vectors stay aligned with the others'.
        long per = ((long)length + tasks - 1) / tasks;
        per = (per + 15) / 16 * 16;
        int start = (int)Math.Min(length, per * t), end = (int)Math.Min(length, per * (t + 1));
        return (start, end);
    }
}
