using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// The chapter's networks, timed the way the peers' scripts time them (../shared/peers): one shared
/// driver prints seconds (median, min, max), images/s, GFLOP/s, the share of the measured FMA peak, and what
/// memory management cost per epoch or step (page faults, GC collections, bytes allocated).
/// </summary>
internal static class ModelBench
{
    /// <summary>Random inputs and one-hot targets (speed does not depend on the values).</summary>
    public static (Tensor X, Tensor Y) RandomBatch(int batch, int[] sampleShape, int classes)
    {
        var r = new Random(1);
        var x = new Tensor([batch, .. sampleShape]);
        for (int i = 0; i < x.Size; i++) x.Span[i] = (float)r.NextDouble();
        var y = new Tensor(batch, classes);
        for (int i = 0; i < batch; i++) y[i, classes == 1 ? 0 : r.Next(classes)] = classes == 1 ? r.Next(2) : 1;
        return (x, y);
    }

    /// <summary>Times <paramref name="step"/>; prints one table row set. Returns the median seconds per call.</summary>
    public static double Report(string what, Action step, int calls, double flopPerCall, double imagesPerCall,
        double callsPerUnit, string unit, BenchOptions options)
    {
        int warmup = options.Int("warmup", 3), repeats = options.Int("repeats", 5);
        for (int i = 0; i < warmup; i++) step();
        var before = ProcessCounters.Now();
        var t = Timing.Measure(() => { for (int i = 0; i < calls; i++) step(); }, warmup: 0, repeats: repeats);
        var used = ProcessCounters.Now() - before;
        double perCall = t.Median / calls;
        double peak = FmaPeak.GflopsPerSecond(options.Threads());
        double gflops = flopPerCall / perCall / 1e9;
        double scale = callsPerUnit / (calls * (double)repeats);
        var table = new ResultTable("workload", $"s/{unit} (median)", "min", "max", "img/s", "GFLOP/s", "% of FMA peak", $"faults/{unit}", $"GC0/1/2 per {unit}", $"alloc/{unit}");
        table.Add(what, ResultTable.Num(perCall * callsPerUnit, 3), ResultTable.Num(t.Min / calls * callsPerUnit, 3),
            ResultTable.Num(t.Max / calls * callsPerUnit, 3), ResultTable.Num(imagesPerCall / perCall, 0), ResultTable.Num(gflops, 1),
            ResultTable.Num(100 * gflops / peak, 0), ResultTable.Num(used.MinorFaults * scale, 0),
            $"{used.Gen0 * scale:F1}/{used.Gen1 * scale:F1}/{used.Gen2 * scale:F1}", ResultTable.Bytes((long)(used.AllocatedBytes * scale)));
        table.Print();
        Console.WriteLine($"(FMA peak measured now: {ResultTable.Num(peak)} GFLOP/s on {options.Threads()} threads)");
        return perCall;
    }

    public static Sequential MnistModel() => Applications.ChapterModels.MnistConvnet();

    public static Sequential CatsDogsModel() => Applications.ChapterModels.SmallConvnet();

    /// <summary>VGG16's convolutional base (13 conv layers, 5 max pools; Keras' include_top=False).</summary>
    public static Sequential Vgg16Base(int size)
    {
        var model = new Sequential();
        int[][] blocks = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]];
        bool first = true;
        foreach (var block in blocks)
        {
            foreach (int f in block)
            {
                model.Add(first ? new Conv2D(f, (3, 3), padding: "same", activation: "relu", inputShape: (size, size, 3))
                                : new Conv2D(f, (3, 3), padding: "same", activation: "relu"));
                first = false;
            }
            model.Add(new MaxPooling2D((2, 2)));
        }
        return model;
    }

    /// <summary>A ResNet basic block at 56×56×64: conv-BN-ReLU, conv-BN, add the input, ReLU.</summary>
    public static Model ResNetBlock()
    {
        var inputs = new Input(56, 56, 64);
        var x = new Conv2D(64, (3, 3), padding: "same", useBias: false).Call(inputs);
        x = new BatchNormalization().Call(x);
        x = new Activation("relu").Call(x);
        x = new Conv2D(64, (3, 3), padding: "same", useBias: false).Call(x);
        x = new BatchNormalization().Call(x);
        x = new Add().Call(x, inputs);
        x = new Activation("relu").Call(x);
        x = new GlobalAveragePooling2D().Call(x);
        return new Model(inputs, new Dense(10, activation: "softmax").Call(x));
    }
}

/// <summary><c>mnist-train</c>: the chapter's MNIST convnet, RMSprop, batch 64; seconds per 60,000-image epoch.</summary>
public sealed class MnistTrainWorkload : IWorkload
{
    public string Name => "mnist-train";
    public string Description => "chapter's MNIST convnet, training epoch (60,000 images, batch 64, RMSprop), timed on --steps steps";

    public void Run(BenchOptions options) => SecondsPerEpoch(options);

    /// <summary>Prints the row and returns the median seconds per 60,000-image epoch.</summary>
    public static double SecondsPerEpoch(BenchOptions options)
    {
        Backends.Cpu.Workers.SetThreadCount(options.Threads());
        int steps = options.Int("steps", 100);
        var model = ModelBench.MnistModel();
        model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var (x, y) = ModelBench.RandomBatch(64, [28, 28, 1], 10);
        // 1.006 TFLOP per epoch (../shared/peers/flops.py): forward + both backward GEMMs of every layer.
        return 937.5 * ModelBench.Report("mnist train", () => model.TrainStep(x, y), steps, 1.006e12 / 937.5, 64, 937.5, "epoch", options);
    }
}

/// <summary><c>mnist-infer</c>: the chapter's MNIST convnet, Predict at batch 256.</summary>
public sealed class MnistInferWorkload : IWorkload
{
    public string Name => "mnist-infer";
    public string Description => "chapter's MNIST convnet, inference images/s at batch 256";

    public void Run(BenchOptions options) => ImagesPerSecond(options);

    /// <summary>Prints the row and returns the median images per second.</summary>
    public static double ImagesPerSecond(BenchOptions options)
    {
        Backends.Cpu.Workers.SetThreadCount(options.Threads());
        var model = ModelBench.MnistModel();
        int batch = options.Int("batch", 256);
        var (x, _) = ModelBench.RandomBatch(batch, [28, 28, 1], 10);
        return batch / ModelBench.Report("mnist inference", () => model.RunForward(x, training: false), options.Int("steps", 20), 5.59e6 * batch, batch, 1, "batch", options);
    }
}

/// <summary><c>catsdogs-step</c>: the chapter's cats-vs-dogs convnet, one training step at batch 20.</summary>
public sealed class CatsDogsStepWorkload : IWorkload
{
    public string Name => "catsdogs-step";
    public string Description => "cats-vs-dogs convnet (150x150x3, 3,453,121 params), one training step at batch 20";

    public void Run(BenchOptions options) => SecondsPerStep(options);

    /// <summary>Prints the row and returns the median seconds per training step.</summary>
    public static double SecondsPerStep(BenchOptions options)
    {
        Backends.Cpu.Workers.SetThreadCount(options.Threads());
        var model = ModelBench.CatsDogsModel();
        model.Compile(optimizer: new RMSprop(learningRate: 1e-4f), loss: "binary_crossentropy");
        var (x, y) = ModelBench.RandomBatch(20, [150, 150, 3], 1);
        return ModelBench.Report("catsdogs train step", () => model.TrainStep(x, y), options.Int("steps", 3), 28.3e9, 20, 1, "step", options);
    }
}

/// <summary><c>vgg16-infer</c>: VGG16's convolutional base at 150×150, batch 20.</summary>
public sealed class Vgg16InferWorkload : IWorkload
{
    public string Name => "vgg16-infer";
    public string Description => "VGG16 convolutional base, inference at 150x150x3, batch 20 (13.2 GFLOP per image)";

    public void Run(BenchOptions options) => ImagesPerSecond(options);

    /// <summary>Prints the row and returns the median images per second.</summary>
    public static double ImagesPerSecond(BenchOptions options)
    {
        Backends.Cpu.Workers.SetThreadCount(options.Threads());
        var model = ModelBench.Vgg16Base(150);
        var (x, _) = ModelBench.RandomBatch(20, [150, 150, 3], 1);
        return 20 / ModelBench.Report("vgg16 base inference", () => model.RunForward(x, training: false), options.Int("steps", 1), 13.2e9 * 20, 20, 1, "batch", options);
    }
}

/// <summary><c>resnet-block</c>: a ResNet basic block (3×3 convs, batch norm, residual add) at 56×56×64, training step.</summary>
public sealed class ResNetBlockWorkload : IWorkload
{
    public string Name => "resnet-block";
    public string Description => "ResNet basic block at 56x56x64 (two 3x3 convs + BN + add), training step at batch 16";

    public void Run(BenchOptions options)
    {
        Backends.Cpu.Workers.SetThreadCount(options.Threads());
        int batch = options.Int("batch", 16);
        var model = ModelBench.ResNetBlock();
        model.Compile(optimizer: "sgd", loss: "categorical_crossentropy");
        var (x, y) = ModelBench.RandomBatch(batch, [56, 56, 64], 10);
        // Two convs of 2·56·56·9·64·64 FLOP each, times 3 for forward + input and weight gradients.
        double flop = 3 * 2 * (2.0 * 56 * 56 * 9 * 64 * 64) * batch;
        ModelBench.Report("resnet block train step", () => model.TrainStep(x, y), options.Int("steps", 3), flop, batch, 1, "step", options);
    }
}
