namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>peers-resnet</c>: DeepSharp's <c>resnet18-infer</c> and <c>resnet18-finetune</c>, then the same network and
/// fine-tuning split in PyTorch and TorchSharp (bench/peers: <c>torch_resnet18.py</c>, <c>TorchSharpResNet18</c>; default
/// allocator and jemalloc) in the same run, side by side with ratios and the best peer. Options: --peers-dir DIR (the
/// shared peers, for <c>weaken_glibcxx.py</c>), --no-default (only the jemalloc runs), --no-torchsharp, --peer-timeout S
/// (per run, default 600), --build-timeout S (TorchSharp build, default 150). Not part of <c>all</c> unless --peers is given.
/// </summary>
public sealed class ResNet18PeersWorkload : IWorkload
{
    public string Name => "peers-resnet";
    public string Description => "DeepSharp's resnet18-infer/-finetune vs the same network in PyTorch and TorchSharp (bench/peers), same run, with ratios";

    public void Run(BenchOptions options)
    {
        string shared = options.String("peers-dir", null) ?? PeersWorkload.FindPeersDir();
        string dir = ResNet18Peers.FindDir();
        int timeout = options.Int("peer-timeout", 600), buildTimeout = options.Int("build-timeout", 150);
        bool withDefault = !options.Flag("no-default"), withTorchSharp = !options.Flag("no-torchsharp");

        Console.WriteLine("-- DeepSharp");
        var ours = new ResNet18PeerResult("DeepSharp", ResNet18InferWorkload.ImagesPerSecond(options), ResNet18FineTuneWorkload.SecondsPerStep(options), "");

        var peers = new List<ResNet18PeerResult>();
        bool jemalloc = File.Exists(Peers.Jemalloc);
        if (!jemalloc) Console.WriteLine($"-- jemalloc runs skipped: {Peers.Jemalloc} not found (apt-get install libjemalloc2).");
        if (!File.Exists("/usr/bin/python3"))
            Console.WriteLine("-- PyTorch skipped: /usr/bin/python3 not found (apt-get install python3-torch).");
        else
        {
            Console.WriteLine("-- PyTorch");
            if (withDefault) peers.Add(ResNet18Peers.PyTorch(dir, false, timeout));
            if (jemalloc) peers.Add(ResNet18Peers.PyTorch(dir, true, timeout));
        }
        if (withTorchSharp)
        {
            Console.WriteLine("-- TorchSharp");
            var dll = ResNet18Peers.FindOrBuildTorchSharp(dir, shared, buildTimeout, out var reason);
            if (dll is null) Console.WriteLine($"-- TorchSharp skipped: {reason}.");
            else
            {
                if (withDefault) peers.Add(ResNet18Peers.TorchSharp(dll, false, timeout));
                if (jemalloc) peers.Add(ResNet18Peers.TorchSharp(dll, true, timeout));
            }
        }
        Print(ours, peers);
    }

    private static void Print(ResNet18PeerResult ours, List<ResNet18PeerResult> peers)
    {
        Console.WriteLine();
        Console.WriteLine("DeepSharp vs peers (same run; DeepSharp's median against each peer's best inference batch and median step). " +
            "Ratios: img/s DeepSharp/peer (above 1 = DeepSharp faster), s/step DeepSharp/peer (below 1 = DeepSharp faster).");
        var table = new ResultTable("run", "resnet18 infer img/s", "ratio", "resnet18 finetune s/step", "ratio", "note");
        table.Add(ours.Name, N(ours.InferImagesPerSecond, 1), "", N(ours.FineTuneStepSeconds, 3), "", "");
        foreach (var p in peers)
            table.Add(p.Name, N(p.InferImagesPerSecond, 1), R(ours.InferImagesPerSecond / p.InferImagesPerSecond),
                N(p.FineTuneStepSeconds, 3), R(ours.FineTuneStepSeconds / p.FineTuneStepSeconds), p.Note);
        if (peers.Count > 0)
        {
            double bestInfer = peers.Max(p => double.IsNaN(p.InferImagesPerSecond) ? 0 : p.InferImagesPerSecond);
            double bestStep = peers.Min(p => double.IsNaN(p.FineTuneStepSeconds) ? double.MaxValue : p.FineTuneStepSeconds);
            table.Add("best peer", N(bestInfer, 1), R(ours.InferImagesPerSecond / bestInfer), N(bestStep, 3), R(ours.FineTuneStepSeconds / bestStep),
                "targets (issue 8, as issue 3): ≥1.0, ≤1.0");
        }
        table.Print();
    }

    private static string N(double v, int decimals) => double.IsNaN(v) || v is double.MaxValue or 0 ? "-" : ResultTable.Num(v, decimals);
    private static string R(double v) => double.IsNaN(v) || double.IsInfinity(v) || v == 0 ? "-" : ResultTable.Num(v, 2) + "×";
}
