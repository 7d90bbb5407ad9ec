using DeepSharp.Backends.Cpu;

namespace DeepSharp.Bench.Workloads;

/// <summary><c>dispatch</c>: what one <see cref="Workers.For"/> call costs when the body does nothing.</summary>
public sealed class DispatchWorkload : IWorkload
{
    public string Name => "dispatch";
    public string Description => "cost of one Workers.For call over all threads with an empty body (µs)";

    public void Run(BenchOptions options)
    {
        int threads = options.Threads();
        int saved = Workers.ThreadCount;
        Workers.SetThreadCount(threads);
        try
        {
            var table = new ResultTable("loop", "threads", "per call", "min", "max");
            foreach (int count in new[] { threads, 16 * threads })
            {
                var sink = new int[count];
                var stats = Timing.MeasureBatched(() => Workers.For(count, i => sink[i]++), minSeconds: 0.05, repeats: 7);
                table.Add($"{count} items", threads.ToString(), ResultTable.Seconds(stats.Median),
                    ResultTable.Seconds(stats.Min), ResultTable.Seconds(stats.Max));
            }
            table.Print();
        }
        finally { Workers.SetThreadCount(saved); }
    }
}
