namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>peers</c>: DeepSharp's four chapter workloads and the peers' scripts in the same run, side by side with
/// the ratios the issue sets targets on. Options: --peers-dir DIR (default ../shared/peers, then
/// /work/shared/peers), --epochs N (peer MNIST epochs, default 1), --no-default (only the jemalloc runs),
/// --no-torchsharp, --peer-timeout S (per script, default 600), --build-timeout S (TorchSharp build, default 150), --rounds N (repeat
/// DeepSharp and every peer N times, alternating, and compare the medians: the VM's speed drifts by a third between minutes).
/// Not part of <c>all</c> unless --peers is given (the peers take minutes).
/// </summary>
public sealed class PeersWorkload : IWorkload
{
    public string Name => "peers";
    public string Description => "DeepSharp vs PyTorch and TorchSharp (default and jemalloc) in the same run, with ratios (--peers-dir, --no-torchsharp)";

    public void Run(BenchOptions options)
    {
        string dir = options.String("peers-dir", null) ?? FindPeersDir();
        int epochs = options.Int("epochs", 1), timeout = options.Int("peer-timeout", 600);
        bool withDefault = !options.Flag("no-default"), withTorchSharp = !options.Flag("no-torchsharp");
        int buildTimeout = options.Int("build-timeout", 150), rounds = options.Int("rounds", 1);

        bool python = File.Exists("/usr/bin/python3") && File.Exists(Path.Combine(dir, "torch_mnist.py"));
        bool jemalloc = File.Exists(Peers.Jemalloc);
        if (!python) Console.WriteLine($"-- PyTorch skipped: /usr/bin/python3 or {dir}/torch_mnist.py not found (apt-get install python3-torch python3-torchvision).");
        if (!jemalloc) Console.WriteLine($"-- jemalloc runs skipped: {Peers.Jemalloc} not found (apt-get install libjemalloc2).");
        string? dll = null;
        if (withTorchSharp)
        {
            dll = Peers.FindOrBuildTorchSharp(dir, buildTimeout, out var reason);
            if (dll is null) Console.WriteLine($"-- TorchSharp skipped: {reason}.");
        }

        var ours = new List<PeerResult>();
        var peers = new List<List<PeerResult>>();
        for (int r = 0; r < rounds; r++)
        {
            if (rounds > 1) Console.WriteLine($"== round {r + 1} of {rounds}");
            Console.WriteLine("-- DeepSharp");
            var mnistEpoch = MnistTrainWorkload.SecondsPerEpoch(options);
            var mnistInfer = MnistInferWorkload.ImagesPerSecond(options);
            var catsStep = CatsDogsStepWorkload.SecondsPerStep(options);
            var vgg = Vgg16InferWorkload.ImagesPerSecond(options);
            ours.Add(new PeerResult("DeepSharp", mnistEpoch, mnistInfer, catsStep, vgg, ""));

            var round = new List<PeerResult>();
            if (python)
            {
                Console.WriteLine("-- PyTorch");
                if (withDefault) round.Add(Peers.PyTorch(dir, false, epochs, timeout));
                if (jemalloc) round.Add(Peers.PyTorch(dir, true, epochs, timeout));
            }
            if (dll is not null)
            {
                Console.WriteLine("-- TorchSharp");
                if (withDefault) round.Add(Peers.TorchSharp(dll, false, epochs, timeout));
                if (jemalloc) round.Add(Peers.TorchSharp(dll, true, epochs, timeout));
            }
            peers.Add(round);
            if (rounds > 1) Print($"round {r + 1}", ours[^1], round, options);
        }
        if (rounds == 1) Print("same run", ours[0], peers[0], options);
        else
            Print($"median of {rounds} rounds, each figure the median of its {rounds} rounds' figures; DeepSharp and the peers alternate within each round",
                Median(ours), Enumerable.Range(0, peers[0].Count).Select(i => Median(peers.Select(p => p[i]).ToList())).ToList(), options);
    }

    /// <summary>Each figure's median over the rounds (NaN figures, from failed runs, left out).</summary>
    private static PeerResult Median(List<PeerResult> runs)
    {
        static double M(IEnumerable<double> values)
        {
            var v = values.Where(x => !double.IsNaN(x)).ToArray();
            return v.Length == 0 ? double.NaN : Timing.Summarize(v).Median;
        }
        return new PeerResult(runs[0].Name, M(runs.Select(r => r.MnistEpochSeconds)), M(runs.Select(r => r.MnistImagesPerSecond)),
            M(runs.Select(r => r.CatsDogsStepSeconds)), M(runs.Select(r => r.VggImagesPerSecond)),
            string.Join("; ", runs.Select(r => r.Note).Where(n => n.Length > 0).Distinct()));
    }

    private static void Print(string what, PeerResult ours, List<PeerResult> peers, BenchOptions options)
    {
        Console.WriteLine();
        Console.WriteLine($"DeepSharp vs peers ({what}). Every figure is a median (epoch, step, inference pass). Ratios: times DeepSharp/peer (below 1 = DeepSharp faster), rates DeepSharp/peer (above 1 = DeepSharp faster).");
        var table = new ResultTable("run", "mnist s/epoch", "ratio", "mnist infer img/s", "ratio", "catsdogs s/step", "ratio", "vgg16 img/s", "ratio", "note");
        table.Add(ours.Name, N(ours.MnistEpochSeconds, 2), "", N(ours.MnistImagesPerSecond, 0), "", N(ours.CatsDogsStepSeconds, 3), "",
            N(ours.VggImagesPerSecond, 1), "", "");
        foreach (var p in peers)
            table.Add(p.Name, N(p.MnistEpochSeconds, 2), R(ours.MnistEpochSeconds / p.MnistEpochSeconds),
                N(p.MnistImagesPerSecond, 0), R(ours.MnistImagesPerSecond / p.MnistImagesPerSecond),
                N(p.CatsDogsStepSeconds, 3), R(ours.CatsDogsStepSeconds / p.CatsDogsStepSeconds),
                N(p.VggImagesPerSecond, 1), R(ours.VggImagesPerSecond / p.VggImagesPerSecond), p.Note);
        if (peers.Count > 0)
        {
            // The best peer per column: the targets are set against it.
            double bestEpoch = peers.Min(p => Valid(p.MnistEpochSeconds, double.MaxValue));
            double bestInfer = peers.Max(p => Valid(p.MnistImagesPerSecond, 0));
            double bestStep = peers.Min(p => Valid(p.CatsDogsStepSeconds, double.MaxValue));
            double bestVgg = peers.Max(p => Valid(p.VggImagesPerSecond, 0));
            table.Add("best peer", N(bestEpoch, 2), R(ours.MnistEpochSeconds / bestEpoch), N(bestInfer, 0), R(ours.MnistImagesPerSecond / bestInfer),
                N(bestStep, 3), R(ours.CatsDogsStepSeconds / bestStep), N(bestVgg, 1), R(ours.VggImagesPerSecond / bestVgg),
                Targets);
        }
        table.Print();
        // The shares of the FMA peak (best of five measurements, cached for the run): 1.006 TFLOP per MNIST
        // epoch, 13.2 GFLOP per VGG16 image (../shared/peers/flops.py).
        double peak = FmaPeak.GflopsPerSecond(options.Threads());
        double mnist = 1.006e3 / ours.MnistEpochSeconds, vgg = 13.2 * ours.VggImagesPerSecond;
        Console.WriteLine($"FMA peak {ResultTable.Num(peak)} GFLOP/s: MNIST training {ResultTable.Num(mnist)} GFLOP/s = {100 * mnist / peak:F0} % of it, " +
            $"VGG16 inference {ResultTable.Num(vgg)} GFLOP/s = {100 * vgg / peak:F0} %");
    }

    /// <summary>
    /// The issues' targets against the best peer, for this machine class: issue 3's on AVX-512, issue 7's elsewhere
    /// (AVX2 and 128-bit machines, where the peers lose less to their own narrower kernels).
    /// </summary>
    private static string Targets => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated
        ? "targets (issue 3, AVX-512): ≤0.8, ≥1.5, ≤1.0, ≥1.0"
        : "targets (issue 7, no AVX-512): ≤0.6, ≥1.5, ≤0.8, ≥1.2; MNIST train ≥40 %, VGG16 ≥70 % of the FMA peak";

    private static double Valid(double v, double fallback) => double.IsNaN(v) ? fallback : v;
    private static string N(double v, int decimals) => double.IsNaN(v) || v is double.MaxValue or 0 ? "-" : ResultTable.Num(v, decimals);
    private static string R(double v) => double.IsNaN(v) || double.IsInfinity(v) || v == 0 ? "-" : ResultTable.Num(v, 2) + "×";

    internal static string FindPeersDir()
    {
        foreach (var d in new[] { Path.Combine("..", "shared", "peers"), "/work/shared/peers" })
            if (Directory.Exists(d)) return Path.GetFullPath(d);
        return Path.GetFullPath(Path.Combine("..", "shared", "peers"));
    }
}
