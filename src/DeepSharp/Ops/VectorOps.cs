using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DeepSharp.Compute;

namespace DeepSharp.Ops;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i1 = y.Length;
        fixed (float* py = y, pdy = dy, pdx = dx)
        {
            int i = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; i + 16 <= i1; i += 16)
                {
                    var mask = Vector512.GreaterThan(Vector512.Load(py + i), Vector512<float>.Zero);
                    (Vector512.Load(pdy + i) & mask).Store(pdx + i);
                }
            for (; i < i1; i++) pdx[i] = py[i] > 0f ? pdy[i] : 0f;
        }
    }

    /// <summary>
    /// ReLU's backward and the bias gradient in one pass: dx = y &gt; 0 ? dy : 0 over a rows×cols matrix, and
    /// sums[j] = Σ_i dx[i, j]. Needs cols a multiple of 16 (up to 1024); returns false (doing nothing) otherwise.
    /// </summary>
    public static bool ReluBackwardColumnSums(float[] y, float[] dy, float[] dx, int rows, int cols, Span<float> sums)
    {
        if (!Vector512.IsHardwareAccelerated || cols % 16 != 0 || cols > 1024) return false;
        int tasks = Math.Min(Tasks((long)rows * cols), Workers.ThreadCount);
        if (tasks <= 1)
        {
            fixed (float* ps = sums) ReluColumnSumsRange(y, dy, dx, 0, rows, cols, ps);
            return true;
        }
        var partials = _partials is { } b && b.Length >= tasks * cols ? b : (_partials = new float[tasks * cols]);
        Workers.For(tasks, t =>
        {
            var (r0, r1) = Range(rows, t, tasks);
            fixed (float* pp = partials) ReluColumnSumsRange(y, dy, dx, r0, r1, cols, pp + t * cols);
        });
        partials.AsSpan(0, cols).CopyTo(sums);
        for (int t = 1; t < tasks; t++)
            System.Numerics.Tensors.TensorPrimitives.Add(sums, partials.AsSpan(t * cols, cols), sums);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReluColumnSumsRange(float[] y, float[] dy, float[] dx, int r0, int r1, int cols, float* sums)
    {
        int vectors = cols / 16;
        var acc = stackalloc Vector512<float>[vectors];
        for (int j = 0; j < vectors; j++) acc[j] = Vector512<float>.Zero;
        fixed (float* py = y, pdy = dy, pdx = dx)
        {
            for (int i = r0; i < r1; i++)
            {
                long row = (long)i * cols;
                for (int j = 0; j < vectors; j++)
                {
                    long o = row + j * 16;
                    var d = Vector512.Load(pdy + o) & Vector512.GreaterThan(Vector512.Load(py + o), Vector512<float>.Zero);
                    d.Store(pdx + o);
                    acc[j] += d;
                }
            }
        }
        for (int j = 0; j < vectors; j++) acc[j].Store(sums + j * 16);
    }

    /// <summary>sums[j] = Σ_i m[i, j] for a rows×cols row-major matrix (the bias gradient).</summary>
    public static void ColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums)
    {
        if (!Vector512.IsHardwareAccelerated || cols % 16 != 0 || cols > 1024)
        {
            sums.Clear();
            for (int i = 0; i < rows; i++)
                System.Numerics.Tensors.TensorPrimitives.Add(sums, m.Slice(i * cols, cols), sums);
            return;
        }
        fixed (float* pm = m, ps = sums)
        {
            int tasks = Math.Min(Tasks((long)rows * cols), Workers.ThreadCount);
            if (tasks <= 1) { ColumnSumsRange(pm, 0, rows, cols, ps); return; }
            // Each thread sums its block of rows; the partial sums are added in thread order (deterministic).
            var partials = _partials is { } b && b.Length >= tasks * cols ? b : (_partials = new float[tasks * cols]);
            nint mAddress = (nint)pm;
            Workers.For(tasks, t =>
            {
                var (r0, r1) = Range(rows, t, tasks);
                fixed (float* pp = partials) ColumnSumsRange((float*)mAddress, r0, r1, cols, pp + t * cols);
            });
            partials.AsSpan(0, cols).CopyTo(sums);
            for (int t = 1; t < tasks; t++)
                System.Numerics.Tensors.TensorPrimitives.Add(sums, partials.AsSpan(t * cols, cols), sums);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnSumsRange(float* m, int r0, int r1, int cols, float* sums)
    {
        for (int j = 0; j < cols; j += 64)
        {
            int width = Math.Min(64, cols - j);
            var a0 = Vector512<float>.Zero; var a1 = Vector512<float>.Zero;
            var a2 = Vector512<float>.Zero; var a3 = Vector512<float>.Zero;
            float* p = m + (nint)r0 * cols + j;
            switch (width)
            {
                case 64:
                    for (int i = r0; i < r1; i++, p += cols)
                    {
                        a0 += Vector512.Load(p); a1 += Vector512.Load(p + 16);
                        a2 += Vector512.Load(p + 32); a3 += Vector512.Load(p + 48);
                    }
                    break;
                case 48:
                    for (int i = r0; i < r1; i++, p += cols)
                    {
                        a0 += Vector512.Load(p); a1 += Vector512.Load(p + 16); a2 += Vector512.Load(p + 32);
                    }
                    break;
                case 32:
                    for (int i = r0; i < r1; i++, p += cols) { a0 += Vector512.Load(p); a1 += Vector512.Load(p + 16); }
                    break;
                default:
                    for (int i = r0; i < r1; i++, p += cols) a0 += Vector512.Load(p);
                    break;
            }
            float* s = sums + j;
            a0.Store(s);
            if (width > 16) a1.Store(s + 16);
            if (width > 32) a2.Store(s + 32);
            if (width > 48) a3.Store(s + 48);
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
