using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>ab</c>: an A/B comparison of one internal switch inside one process. The switch is flipped every round
/// (in the order off, on, on, off, ...), so both settings see the same load on a shared machine: on the 2-core VM
/// the same build's timings swing by a third between minutes, more than most changes are worth, and two runs of
/// separate processes minutes apart cannot tell them apart.
/// Options: --switch NAME (see the list), --model mnist|catsdogs, --infer, --rounds N (default 12), --steps N per round.
/// Prints each setting's median step time and the median of the rounds' on/off ratios.
/// </summary>
public sealed class AbWorkload : IWorkload
{
    public string Name => "ab";
    public string Description => "A/B of one internal switch, alternated inside one process (--switch NAME, --model mnist|catsdogs, --infer, --rounds N)";

    /// <summary>
    /// The switches: what "on" means, and how to set it on the CPU backend's options (false restores the default or
    /// turns it off).
    /// </summary>
    private static readonly Dictionary<string, (string What, Action<bool> Set)> Switches = new()
    {
        ["winograd-per-thread"] = ("each thread runs whole Winograd chunks (off: every chunk split over the threads)",
            on => Options.WinogradThreadChunkFloats = on ? DefaultThreadChunkFloats : 0),
        ["winograd-wgrad"] = ("kernel gradient of 3×3 layers on the Winograd path", on => Options.WinogradKernelGradient = on),
        ["winograd-wgrad-64"] = ("Winograd kernel gradient from 64 input channels (off: from 32)", on => Options.WinogradKernelGradientMinChannels = on ? 64 : 32),
        ["maxpool-values-only"] = ("max pooling keeps no winner indices in inference", on => Options.MaxPoolSkipsWinnersInInference = on),
        ["winograd-dgrad"] = ("input gradient of 3×3 layers on the Winograd path", on => Options.WinogradInputGradient = on),
        ["sparse-backward"] = ("convolution backward over dz's nonzeros when at most 30 % are nonzero", on => Options.SparseBackwardMaxDensity = on ? CpuBackendOptions.DefaultSparseBackwardMaxDensity : 0),
        ["fuse-pool-backward"] = ("a first conv takes its max pooling's gradient unscattered (one pass, no dense gradient between them)", on => Options.PooledKernelGradient = on),
        ["implicit-dgrad"] = ("input gradient as an implicit-GEMM convolution of dy", on => Options.ImplicitInputGradient = on),
        ["winograd"] = ("3×3 stride-1 convolutions on the Winograd path", on => Options.Winograd = on),
        ["implicit-gemm"] = ("convolutions with 16+ input channels as an implicit GEMM (off: im2col + GEMM)", on => Options.ImplicitGemm = on),
        ["gemm-read-rows"] = ("GEMMs up to 128 columns wide read A's rows in place (off: always pack A)", on => Options.GemmReadRowsMaxColumns = on ? 128 : 0),
        ["winograd-32"] = ("Winograd from 32 input channels (off: from 64)", on => Options.WinogradMinChannels = on ? 32 : 64),
        ["direct-wgrad"] = ("a first layer's kernel gradient in one pass over dy, without im2col", on => Options.FirstLayerDirectGradient = on),
    };

    private static CpuBackendOptions Options => Backend.Cpu.Options;

    private static readonly int DefaultThreadChunkFloats = Options.WinogradThreadChunkFloats > 0 ? Options.WinogradThreadChunkFloats : 1 << 16;

    public void Run(BenchOptions options)
    {
        Workers.SetThreadCount(options.Threads());
        string name = options.String("switch") ?? "";
        if (!Switches.TryGetValue(name, out var sw))
            throw new ArgumentException($"ab: unknown --switch '{name}'. Expected one of: {string.Join(", ", Switches.Keys)}.");
        string which = options.String("model", "mnist")!;
        bool infer = options.Flag("infer");
        int rounds = options.Int("rounds", 12);
        var model = which switch
        {
            "mnist" => ModelBench.MnistModel(),
            "catsdogs" => ModelBench.CatsDogsModel(),
            _ => throw new ArgumentException($"ab: unknown --model '{which}'. Expected mnist or catsdogs."),
        };
        int batch = options.Int("batch", which == "mnist" ? (infer ? 256 : 64) : 20);
        int steps = options.Int("steps", which == "mnist" ? 20 : 3);
        var (x, y) = ModelBench.RandomBatch(batch, which == "mnist" ? [28, 28, 1] : [150, 150, 3], which == "mnist" ? 10 : 1);
        model.Compile(optimizer: "rmsprop", loss: which == "mnist" ? "categorical_crossentropy" : "binary_crossentropy");
        Action step = infer ? () => model.RunForward(x, training: false) : () => model.TrainStep(x, y);

        var times = new List<double>[] { new(), new() };
        var ratios = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            var perRound = new double[2];
            foreach (bool on in r % 2 == 0 ? new[] { false, true } : [true, false])
            {
                sw.Set(on);
                step(); // the first step after a switch may grow buffers
                double t0 = BenchClock.Now();
                for (int s = 0; s < steps; s++) step();
                perRound[on ? 1 : 0] = BenchClock.Since(t0) / steps;
            }
            times[0].Add(perRound[0]);
            times[1].Add(perRound[1]);
            ratios.Add(perRound[1] / perRound[0]);
        }
        sw.Set(true);
        var table = new ResultTable("setting", $"ms/{(infer ? "batch" : "step")} (median)", "min", "max");
        foreach (int i in new[] { 0, 1 })
        {
            var t = Timing.Summarize(times[i].ToArray());
            table.Add(i == 0 ? "off" : "on", ResultTable.Num(1e3 * t.Median, 3), ResultTable.Num(1e3 * t.Min, 3), ResultTable.Num(1e3 * t.Max, 3));
        }
        table.Print();
        var q = ratios.Order().ToArray();
        Console.WriteLine($"{name} ({sw.What}), {which} {(infer ? "inference" : "training")}, batch {batch}, {rounds} rounds of {steps} steps:");
        Console.WriteLine($"on/off time ratio per round: median {q[q.Length / 2]:F3}, quartiles {q[q.Length / 4]:F3} to {q[3 * q.Length / 4]:F3} (below 1: on is faster)");
    }
}
