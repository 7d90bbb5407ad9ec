using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DeepSharp.Backends.Cpu;

namespace DeepSharp.Bench;

/// <summary>
/// Measures the machine's single-precision fused multiply-add peak from C#: 12 independent
/// Vector512 (or Vector256) FMA chains per thread, enough to cover the FMA latency on two pipes.
/// Workloads divide their GFLOP/s by this to print a share of peak.
/// </summary>
public static class FmaPeak
{
    private static readonly Dictionary<int, double> Cache = new();

    /// <summary>Peak GFLOP/s with the given number of threads (best of a few runs; cached).</summary>
    public static double GflopsPerSecond(int threads)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(threads, out double cached)) return cached;
            double best = 0;
            for (int r = 0; r < 5; r++) best = Math.Max(best, RunOnce(threads, iterations: 2_000_000));
            Cache[threads] = best;
            return best;
        }
    }

    private static double RunOnce(int threads, int iterations)
    {
        int saved = Workers.ThreadCount;
        Workers.SetThreadCount(threads);
        try
        {
            var sink = new float[threads];
            Chains(1000, 1f); // JIT warm-up
            long t0 = Stopwatch.GetTimestamp();
            Workers.For(threads, t => sink[t] = Chains(iterations, 1f + t * 1e-7f));
            double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            double flopsPerIteration = 12.0 * 2 * (Vector512.IsHardwareAccelerated ? 16 : 8);
            return threads * iterations * flopsPerIteration / seconds / 1e9;
        }
        finally { Workers.SetThreadCount(saved); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Chains(int iterations, float seed)
    {
        if (!Vector512.IsHardwareAccelerated) return Chains256(iterations, seed);
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(seed), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
            c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Chains256(int iterations, float seed)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(seed), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
            c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a); c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a); c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a); c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a); c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a); c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a); c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
