using DeepSharp.Backends.Cpu;

namespace DeepSharp.Bench.Workloads;

/// <summary><c>peak</c>: the FMA peak in GFLOP/s on one thread and on all threads.</summary>
public sealed class PeakWorkload : IWorkload
{
    public string Name => "peak";
    public string Description => "FMA peak (Vector512 chains) on 1 thread and on all threads, GFLOP/s";

    public void Run(BenchOptions options)
    {
        int all = options.Threads();
        var table = new ResultTable("threads", "GFLOP/s");
        table.Add("1", ResultTable.Num(FmaPeak.GflopsPerSecond(1)));
        if (all > 1) table.Add(all.ToString(), ResultTable.Num(FmaPeak.GflopsPerSecond(all)));
        table.Print();
    }
}
