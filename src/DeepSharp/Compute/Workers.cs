namespace DeepSharp.Compute;

/// <summary>
/// Runs loops on all cores. The thread count comes from <c>DEEPSHARP_THREADS</c> or
/// <see cref="SetThreadCount"/>; the default is the number of processors.
/// </summary>
public static class Workers
{
    private static int _threads = ReadEnvironment();
    private static ParallelOptions _options = new() { MaxDegreeOfParallelism = _threads };

    /// <summary>How many threads the kernels use.</summary>
    public static int ThreadCount => _threads;

    /// <summary>Sets how many threads the kernels use (1 = single-threaded).</summary>
    public static void SetThreadCount(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), $"Thread count must be at least 1, got {threads}.");
        _threads = threads;
        _options = new ParallelOptions { MaxDegreeOfParallelism = threads };
    }

    /// <summary>Runs body(i) for i in [0, count), split across the threads. Small loops run inline.</summary>
    public static void For(int count, Action<int> body)
    {
        if (count <= 0) return;
        if (count == 1 || _threads == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, _options, body);
    }

    private static int ReadEnvironment()
    {
        var s = Environment.GetEnvironmentVariable("DEEPSHARP_THREADS");
        if (int.TryParse(s, out int n) && n > 0) return n;
        return Environment.ProcessorCount;
    }
}
