using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DeepSharp.Bench;

/// <summary>
/// The clock every timing reads: wall time by default, or with <c>--cpu-time</c> the calling thread's CPU time
/// (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>). CPU time does not advance while other processes hold the core, so
/// single-threaded comparisons (<c>--threads 1 --cpu-time</c>) stay meaningful on a loaded machine; it cannot see
/// worker threads, so it is refused with more than one thread.
/// </summary>
public static partial class BenchClock
{
    /// <summary>True when timings read the thread's CPU time.</summary>
    public static bool ThreadCpuTime { get; private set; }

    /// <summary>Reads --cpu-time; call after the thread count is known.</summary>
    public static void Configure(BenchOptions options)
    {
        if (!options.Flag("cpu-time")) return;
        if (!OperatingSystem.IsLinux())
            throw new ArgumentException("bench: --cpu-time reads CLOCK_THREAD_CPUTIME_ID and works on Linux only.");
        if (options.Threads() != 1)
            throw new ArgumentException($"bench: --cpu-time measures the calling thread only; add --threads 1 (got {options.Threads()} threads).");
        ThreadCpuTime = true;
    }

    /// <summary>Seconds on the chosen clock (only differences are meaningful).</summary>
    public static double Now()
    {
        if (!ThreadCpuTime) return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var ts);
        return ts.Seconds + ts.Nanoseconds * 1e-9;
    }

    /// <summary>Seconds since <paramref name="start"/> (a value of <see cref="Now"/>).</summary>
    public static double Since(double start) => Now() - start;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
