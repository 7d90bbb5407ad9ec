using DeepSharp.Backends.Cpu;
using DeepSharp.Models;
using DeepSharp.Layers;
using DeepSharp.Optimizers;
using static DeepSharp.Utils;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>widths-worker</c>: the child process <c>widths</c> starts once per vector width (and per build with
/// <c>--against</c>). It prints <c>ready &lt;width&gt;</c>, then reads one command per line from stdin and answers each
/// with one line: <c>&lt;workload&gt; &lt;steps&gt;</c> times that many steps of the workload (its model is built and warmed
/// up on its first command) and answers <c>result &lt;workload&gt; &lt;seconds per step&gt;</c>; <c>release</c> drops the
/// models (so a run holds one model per process at a time) and answers <c>released</c>; <c>quit</c> ends the process.
/// An error answers <c>error &lt;message&gt;</c>. Not meant to be run by hand.
/// </summary>
public sealed class WidthsWorkerWorkload : IWorkload
{
    public string Name => "widths-worker";
    public string Description => "(started by 'widths': one vector width's process, timing workloads on request over stdin)";

    /// <summary>The workloads a worker knows, in the order <c>widths</c> runs them, and their unit.</summary>
    internal static readonly (string Name, string Unit)[] Known =
    [
        ("mnist-train", "ms/step (batch 64)"),
        ("mnist-infer", "ms/batch (256)"),
        ("catsdogs-step", "ms/step (batch 20)"),
        ("vgg16-infer", "ms/batch (20)"),
        ("resnet18-finetune", "ms/step (batch 16)"),
    ];

    public void Run(BenchOptions options)
    {
        Workers.SetThreadCount(options.Threads());
        var steps = new Dictionary<string, Action>();
        Console.WriteLine($"ready {VectorPaths.Best}");
        while (Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            if (parts[0] == "quit") return;
            try
            {
                if (parts[0] == "release")
                {
                    steps.Clear();
                    GC.Collect();
                    Console.WriteLine("released");
                    continue;
                }
                int count = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 1;
                if (!steps.TryGetValue(parts[0], out var step))
                {
                    step = Build(parts[0]);
                    for (int i = 0; i < 2; i++) step();   // JIT, buffers
                    steps[parts[0]] = step;
                }
                double t0 = BenchClock.Now();
                for (int i = 0; i < count; i++) step();
                Console.WriteLine(FormattableString.Invariant($"result {parts[0]} {BenchClock.Since(t0) / count:R}"));
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
            {
                Console.WriteLine($"error {e.Message.ReplaceLineEndings(" ")}");
            }
        }
    }

    /// <summary>One step of a workload, the same model and batch as its own bench workload (ResNet18 with random weights).</summary>
    private static Action Build(string name)
    {
        switch (name)
        {
            case "mnist-train":
            {
                var model = ModelBench.MnistModel();
                model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
                var (x, y) = ModelBench.RandomBatch(64, [28, 28, 1], 10);
                return () => model.TrainStep(x, y);
            }
            case "mnist-infer":
            {
                var model = ModelBench.MnistModel();
                var (x, _) = ModelBench.RandomBatch(256, [28, 28, 1], 10);
                return () => model.RunForward(x, training: false);
            }
            case "catsdogs-step":
            {
                var model = ModelBench.CatsDogsModel();
                model.Compile(optimizer: new RMSprop(learningRate: 1e-4f), loss: "binary_crossentropy");
                var (x, y) = ModelBench.RandomBatch(20, [150, 150, 3], 1);
                return () => model.TrainStep(x, y);
            }
            case "vgg16-infer":
            {
                var model = ModelBench.Vgg16Base(150);
                var (x, _) = ModelBench.RandomBatch(20, [150, 150, 3], 1);
                return () => model.RunForward(x, training: false);
            }
            case "resnet18-finetune":
            {
                // Random weights: the speed does not depend on the values, and no model file is needed.
                var convBase = Applications.Applications.ResNet18(weights: null);
                var model = new Sequential(convBase, new Dense(256, activation: "relu"), new Dense(1, activation: "sigmoid"));
                UnfreezeWeights(convBase, from: ResNet18Bench.TopStageStart(convBase).Name);
                model.Compile(optimizer: new RMSprop(learningRate: 1e-5f), loss: "binary_crossentropy");
                var (x, y) = ModelBench.RandomBatch(16, [224, 224, 3], 1);
                for (int i = 0; i < x.Size; i++) x.Span[i] *= 255f;
                return () => model.TrainStep(x, y);
            }
            default:
                throw new ArgumentException($"widths-worker: unknown workload '{name}'. Known: {string.Join(", ", Known.Select(k => k.Name))}.");
        }
    }
}
