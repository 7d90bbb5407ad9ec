using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using static DeepSharp.Utils;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>vgg16-finetune-step</c>: the chapter's fine-tuning (5.3.2): <c>Applications.VGG16</c>'s base at 150×150 with block 5
/// unfrozen (<c>UnfreezeWeights(convBase, from: "block5_conv1")</c>), Flatten, Dense(256), Dense(1, sigmoid), RMSprop(1e-5);
/// one training step at batch 20. Random weights (speed does not depend on them; nothing is downloaded).
/// </summary>
public sealed class Vgg16FineTuneStepWorkload : IWorkload
{
    public string Name => "vgg16-finetune-step";
    public string Description => "VGG16 base 150x150 with block 5 unfrozen + Dense(256) head, one training step at batch 20 (~302 GFLOP)";

    public void Run(BenchOptions options) => SecondsPerStep(options);

    /// <summary>Prints the row and returns the median seconds per step.</summary>
    public static double SecondsPerStep(BenchOptions options)
    {
        Backends.Cpu.Workers.SetThreadCount(options.Threads());
        var convBase = Applications.Applications.VGG16(weights: null, includeTop: false, inputShape: (150, 150, 3));
        var model = new Sequential(convBase, new Flatten(), new Dense(256, activation: "relu"), new Dense(1, activation: "sigmoid"));
        UnfreezeWeights(convBase, from: "block5_conv1");
        model.Compile(optimizer: new RMSprop(learningRate: 1e-5f), loss: "binary_crossentropy");
        var (x, y) = ModelBench.RandomBatch(20, [150, 150, 3], 1);
        // Per image: the base forward, 13.2 GFLOP; block 5 (three 3×3 512→512 convs on 9×9) backward: kernel gradients
        // 3 × 0.382 GFLOP and input gradients of conv2/conv3 2 × 0.382 GFLOP (nothing below block 5 needs a gradient): 15.1 GFLOP.
        return ModelBench.Report("vgg16 fine-tune step", () => model.TrainStep(x, y), options.Int("steps", 1), 20 * 15.1e9, 20, 1, "step", options);
    }
}
