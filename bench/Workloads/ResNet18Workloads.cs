using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using static DeepSharp.Utils;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// ResNet18 as <c>Applications.ResNet18</c> builds it (CNTK's ResNet-18 from the ONNX file of the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18: preprocessing, conv 7×7/2 + BN + ReLU, max pool 3×3/2, BasicBlocks [2, 2, 2, 3]
/// with 64/128/256/512 channels, global average pooling, 512 features) and the FLOP count of its work.
/// </summary>
internal static class ResNet18Bench
{
    /// <summary>The first layer of the last stage (the "top block" a fine-tuning unfreezes): the first 512-filter convolution.</summary>
    public static Layer TopStageStart(Model convBase) =>
        convBase.Layers.First(l => l is Conv2D { Filters: 512 });

    /// <summary>
    /// The useful floating-point work of one image through <paramref name="model"/>: 2 FLOP per multiply-add of every
    /// Conv2D (output height × width × filters × kernel height × width × input channels) and Dense (inputs × units), in
    /// nested models too. Batch norm, ReLU, additions, pooling and the preprocessing are elementwise (under 1 % of the
    /// total) and not counted. With <paramref name="training"/>, adds the backward work a training step needs: the kernel
    /// gradient (as much as the forward) of every trainable Conv2D/Dense, and the input gradient (as much again) of every
    /// layer whose input depends on a trainable weight; layers fed only by frozen layers need none.
    /// </summary>
    public static double FlopPerImage(Model model, bool training)
    {
        var needsGrad = new Dictionary<SymbolicTensor, bool>(ReferenceEqualityComparer.Instance);
        return Count(model, training, inputNeedsGrad: false, needsGrad, out _);
    }

    private static double Count(Model model, bool training, bool inputNeedsGrad, Dictionary<SymbolicTensor, bool> needsGrad, out bool outputNeedsGrad)
    {
        double flop = 0;
        bool last = inputNeedsGrad;
        foreach (var layer in model.Layers)
        {
            bool inNeeds = layer.Inputs.Any(i => i.Producer is null ? inputNeedsGrad : needsGrad.GetValueOrDefault(i));
            if (model is Sequential) inNeeds = last;
            bool outNeeds;
            if (layer is Model inner) flop += Count(inner, training, inNeeds, needsGrad, out outNeeds);
            else
            {
                double forward = layer switch
                {
                    Conv2D c => 2.0 * c.Output.Shape[0] * c.Output.Shape[1] * c.Filters * c.KernelSize.H * c.KernelSize.W * c.Input.Shape[^1],
                    Dense d => 2.0 * d.Input.Shape[^1] * d.Output.Shape[^1],
                    _ => 0,
                };
                bool trainable = layer.Trainable && layer.Parameters.Count > 0;
                flop += forward;
                if (training && trainable) flop += forward;     // kernel gradient
                if (training && inNeeds) flop += forward;       // input gradient
                outNeeds = inNeeds || trainable;
            }
            needsGrad[layer.Output] = outNeeds;
            last = outNeeds;
        }
        outputNeedsGrad = last;
        return flop;
    }
}

/// <summary><c>resnet18-infer</c>: <c>Applications.ResNet18(weights: "imagenet")</c> at 224×224×3, inference at batch 32.</summary>
public sealed class ResNet18InferWorkload : IWorkload
{
    public string Name => "resnet18-infer";
    public string Description => "ResNet18 (ImageNet weights, stages [2,2,2,3]) at 224x224x3, inference at batch 32 (--batch N)";

    public void Run(BenchOptions options) => ImagesPerSecond(options);

    /// <summary>Prints the row and returns the median images per second.</summary>
    public static double ImagesPerSecond(BenchOptions options)
    {
        Backends.Cpu.Workers.SetThreadCount(options.Threads());
        int batch = options.Int("batch", 32);
        var model = Applications.Applications.ResNet18(weights: "imagenet");
        var (x, _) = ModelBench.RandomBatch(batch, [224, 224, 3], 1);
        for (int i = 0; i < x.Size; i++) x.Span[i] *= 255f;   // raw 0–255 pixels, as the network takes them
        double flop = ResNet18Bench.FlopPerImage(model, training: false);
        Console.WriteLine($"resnet18: {ResultTable.Num(flop / 1e9, 3)} GFLOP per image forward (Conv2D and Dense multiply-adds × 2)");
        return batch / ModelBench.Report("resnet18 inference", () => model.RunForward(x, training: false), options.Int("steps", 1), flop * batch, batch, 1, "batch", options);
    }
}

/// <summary>
/// <c>resnet18-finetune</c>: the fine-tuning step of chapter 5.3.2 on ResNet18: the ImageNet base with everything frozen
/// except its last stage (the three 512-channel BasicBlocks), Dense(256, relu), Dense(1, sigmoid), RMSprop(1e-5), binary
/// crossentropy; one training step at batch 16, 224×224×3.
/// </summary>
public sealed class ResNet18FineTuneWorkload : IWorkload
{
    public string Name => "resnet18-finetune";
    public string Description => "ResNet18 base 224x224 with its last stage unfrozen + Dense(256) head, one training step at batch 16 (--batch N)";

    public void Run(BenchOptions options) => SecondsPerStep(options);

    /// <summary>Prints the row and returns the median seconds per step.</summary>
    public static double SecondsPerStep(BenchOptions options)
    {
        Backends.Cpu.Workers.SetThreadCount(options.Threads());
        int batch = options.Int("batch", 16);
        var convBase = Applications.Applications.ResNet18(weights: "imagenet");
        var model = new Sequential(convBase, new Dense(256, activation: "relu"), new Dense(1, activation: "sigmoid"));
        var top = ResNet18Bench.TopStageStart(convBase);
        UnfreezeWeights(convBase, from: top.Name);
        model.Compile(optimizer: new RMSprop(learningRate: 1e-5f), loss: "binary_crossentropy");
        var (x, y) = ModelBench.RandomBatch(batch, [224, 224, 3], 1);
        for (int i = 0; i < x.Size; i++) x.Span[i] *= 255f;   // raw 0–255 pixels, as the network takes them
        long trainable = model.Parameters.Where(p => p.Trainable).Sum(p => (long)p.Value.Size);
        double flop = ResNet18Bench.FlopPerImage(model, training: true);
        Console.WriteLine($"resnet18 fine-tune: unfrozen from '{top.Name}', {trainable:N0} trainable weights; " +
            $"{ResultTable.Num(flop / 1e9, 3)} GFLOP per image (forward, then the kernel and input gradients the trainable layers need)");
        return ModelBench.Report("resnet18 fine-tune step", () => model.TrainStep(x, y), options.Int("steps", 1), flop * batch, batch, 1, "step", options);
    }

}
