using System.Diagnostics;
using System.Globalization;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Worlds;
using static DeepSharp.Utils;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>scaling</c>: data-parallel training on 1 and 2 ranks (mpirun on this machine, one thread per rank): the chapter's
/// cats-vs-dogs convnet and ResNet18 fine-tuning, the same batch per rank (weak scaling). Per model: step time, the
/// all-reduce alone (the gradients' bytes, no compute), the all-reduce time left after the backward pass with and
/// without overlap, and the scaling efficiency (images/s on 2 ranks ÷ 2 × images/s on 1).
/// </summary>
public sealed class ScalingWorkload : IWorkload
{
    public string Name => "scaling";
    public string Description => "data-parallel Fit on 1 and 2 ranks under mpirun, 1 thread each: step, all-reduce, overlap, efficiency (--model catsdogs|resnet18|both, --steps 4)";

    public void Run(BenchOptions options)
    {
        string which = options.String("model", "both")!;
        int steps = options.Int("steps", 4);
        int ranks = options.Int("ranks", 2);
        var table = new ResultTable("model", "ranks", "overlap", "img/rank/step", "s/step", "all-reduce alone (s)", "all-reduce left (s)", "share of step", "MB/step", "efficiency");
        foreach (var (model, batch) in new[] { ("catsdogs", options.Int("batch", 16)), ("resnet18", options.Int("batch", 8)) })
        {
            if (which != "both" && which != model) continue;
            var one = RunRanks(1, model, batch, steps, overlap: true);
            var many = RunRanks(ranks, model, batch, steps, overlap: true);
            var plain = RunRanks(ranks, model, batch, steps, overlap: false);
            foreach (var (r, ranksUsed, overlap) in new[] { (one, 1, "-"), (many, ranks, "on"), (plain, ranks, "off") })
                table.Add(model, ranksUsed.ToString(CultureInfo.InvariantCulture), overlap, batch.ToString(CultureInfo.InvariantCulture),
                    ResultTable.Num(r.Step, 3), ranksUsed == 1 ? "-" : ResultTable.Num(r.Alone, 4), ranksUsed == 1 ? "-" : ResultTable.Num(r.Left, 4),
                    ranksUsed == 1 ? "-" : $"{100 * r.Left / r.Step:F1} %", ResultTable.Num(r.Bytes / 1e6, 1),
                    ranksUsed == 1 ? "-" : ResultTable.Num(one.Step / r.Step, 2));
        }
        table.Print();
        Console.WriteLine("efficiency = (images/s on N ranks) / (N × images/s on 1 rank) = s/step(1 rank) / s/step(N ranks) at the same batch per rank.");
        Console.WriteLine("all-reduce alone: the gradients summed over the ranks with no compute running; left: the wait after the backward pass.");
    }

    private sealed record RankResult(double Step, double Alone, double Left, double Bytes);

    /// <summary>Runs <see cref="ScalingRankWorkload"/> on <paramref name="ranks"/> ranks and reads rank 0's result line.</summary>
    private static RankResult RunRanks(int ranks, string model, int batch, int steps, bool overlap)
    {
        var psi = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(CultureInfo.InvariantCulture),
                     Environment.ProcessPath!, typeof(ScalingWorkload).Assembly.Location, "scaling-rank", "--model", model,
                     "--batch", batch.ToString(CultureInfo.InvariantCulture), "--steps", steps.ToString(CultureInfo.InvariantCulture),
                     "--overlap", overlap ? "1" : "0" })
            psi.ArgumentList.Add(a);
        psi.Environment["DEEPSHARP_THREADS"] = "1";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("bench scaling: mpirun did not start (apt-get install openmpi-bin).");
        string output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(entireProcessTree: true); throw new TimeoutException("bench scaling: a run took over 10 minutes."); }
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("SCALING ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"bench scaling: rank 0 printed no result (exit code {p.ExitCode}):\n{output}");
        var v = line.Split(' ')[1..].Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Console.WriteLine($"  {model} on {ranks} rank(s), overlap {(overlap ? "on" : "off")}: {ResultTable.Num(v[0], 3)} s/step");
        return new RankResult(v[0], v[1], v[2], v[3]);
    }
}

/// <summary><c>scaling-rank</c>: one rank of <c>bench -- scaling</c> (started by it under mpirun).</summary>
public sealed class ScalingRankWorkload : IWorkload
{
    public string Name => "scaling-rank";
    public string Description => "(one rank of bench -- scaling, started by it under mpirun)";

    public void Run(BenchOptions options)
    {
        using var world = Distributed.Initialize();
        string which = options.String("model", "catsdogs")!;
        int batch = options.Int("batch", 16), steps = options.Int("steps", 4);
        GradientBuckets.Overlap = options.Int("overlap", 1) == 1;
        Model model;
        int[] shape;
        if (which == "resnet18")
        {
            var convBase = Applications.Applications.ResNet18(weights: "imagenet");
            model = new Sequential(convBase, new Dense(256, activation: "relu"), new Dense(1, activation: "sigmoid"));
            UnfreezeWeights(convBase, from: ResNet18Bench.TopStageStart(convBase).Name);
            model.Compile(optimizer: new RMSprop(learningRate: 1e-5f), loss: "binary_crossentropy");
            shape = [224, 224, 3];
        }
        else
        {
            model = ModelBench.CatsDogsModel();
            model.Compile(optimizer: new RMSprop(learningRate: 1e-4f), loss: "binary_crossentropy");
            shape = [150, 150, 3];
        }
        // Every rank holds the whole (random) data set; Fit gives each its share: batch per rank × ranks per step.
        var (x, y) = ModelBench.RandomBatch(batch * world.Size * steps, shape, 1);
        model.Fit(x, y, batchSize: batch * world.Size, epochs: 1, verbose: 0, shuffle: false);   // warm-up (JIT, buffers)
        model.Fit(x, y, batchSize: batch * world.Size, epochs: 1, verbose: 0, shuffle: false);
        var t = model.LastFitTimings;
        // The same bytes summed with nothing else running: what the overlap can hide at most.
        var gradients = model.Parameters.Where(p => p.Trainable).Sum(p => (long)p.Value.Size);
        var buffer = new float[gradients];
        var alone = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            long start = Stopwatch.GetTimestamp();
            world.AllReduceSum(buffer);
            alone.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        alone.Sort();
        if (world.IsRoot)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SCALING {t.TotalSeconds / t.Steps} {(world.Size == 1 ? 0 : alone[2])} {t.AllReduceSeconds / t.Steps} {gradients * 4.0}"));
    }
}
