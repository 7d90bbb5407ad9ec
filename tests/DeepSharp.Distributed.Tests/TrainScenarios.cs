using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Training;
using DeepSharp.Vision;
using DeepSharp.Worlds;

namespace DeepSharp.DistributedTests;

/// <summary>
/// Fit in the world of 2 against Fit in a world of 1 on the same global batches (run on rank 0 with World.Single):
/// rank 0 prints "CHECK equal-NAME weights W loss L" with the largest relative differences.
/// </summary>
internal static class TrainScenarios
{
    /// <summary>
    /// SGD compares the gradients themselves: RMSprop's first steps are about lr·sign(g), so a gradient that is
    /// the sum of terms cancelling to ~0 turns its last-bit differences (the ranks add in another order) into whole steps.
    /// </summary>
    private static Optimizers.Optimizer Optimizer => new Optimizers.SGD(learningRate: 0.05f);

    public static void Run(DistributedWorld world, string dir)
    {
        CustomLoop(world);
        var all = Arrays(11, seed: 5);
        var (vx, vy) = Arrays(5, seed: 6);
        string images = Path.Combine(dir, $"images-rank{world.Rank}");
        WriteImageFolder(images, 13);
        // "step": one step on a global batch of 5 (2 + 3 rows); "epochs": 2 epochs of batches 4, 4, 3.
        var (x5, y5) = (all.X.Slice(0, 5), all.Y.Slice(0, 5));
        foreach (var (run, batch, epochs, steps) in new[] { ("step", 5, 1, 1), ("epochs", 4, 2, (int?)null) })
        {
            // The epochs runs send gradients in buckets of 37 floats (split across tensors, many started during the
            // backward pass); the step runs in one bucket of 4 MB.
            GradientBuckets.BucketFloats = run == "step" ? 1 << 20 : 37;
            var (x, y) = run == "step" ? (x5, y5) : (all.X, all.Y);
            Compare(world, $"{run}-sequential", () => Convnet(bn: null),
                m => m.Fit(x, y, batchSize: batch, epochs: epochs, verbose: 0, shuffle: false, validationData: (vx, vy)));
            // AUC, precision, recall, top-k and mse: every metric's whole state is all-reduced (counts per threshold), so
            // the AUC of two ranks' halves is the AUC of the whole batch, not a mean of the two ranks' AUCs.
            Compare(world, $"{run}-metrics", ConvnetWithMetrics,
                m => m.Fit(x, y, batchSize: batch, epochs: epochs, verbose: 0, shuffle: false, validationData: (vx, vy)));
            Compare(world, $"{run}-functional", Residual, m => m.Fit(x, y, batchSize: batch, epochs: epochs, verbose: 0, shuffle: false));
            Compare(world, $"{run}-bn-synchronized", () => Convnet(bn: new BatchNormalization(synchronized: true)),
                m => m.Fit(x, y, batchSize: batch, epochs: epochs, verbose: 0, shuffle: false, validationData: (vx, vy)));
            Compare(world, $"{run}-bn-frozen", () => Convnet(bn: new BatchNormalization { Trainable = false }),
                m => m.Fit(x, y, batchSize: batch, epochs: epochs, verbose: 0, shuffle: false));
            Compare(world, $"{run}-folder-generator", () => Convnet(bn: null, classes: 2), m =>
            {
                using var gen = new ImageDataGenerator(rescale: 1f / 255, horizontalFlip: true, rotationRange: 20)
                    .FlowFromDirectory(images, targetSize: (6, 6), colorMode: ColorMode.Grayscale, batchSize: batch + 1, seed: 11, classMode: ClassMode.Categorical);
                return m.Fit(gen, stepsPerEpoch: steps, epochs: epochs, verbose: 0);
            });
        }
    }

    /// <summary>
    /// A custom loop: each rank computes the gradients of its half of a batch of 6, Distributed.AllReduceMean, then
    /// ApplyGradients; against one step on the whole batch in a world of one.
    /// </summary>
    public static void CustomLoop(DistributedWorld world)
    {
        var (x, y) = Arrays(6, seed: 8);
        DeepSharp.Rng.SetSeed(world.Rank);   // different starting weights: BroadcastWeights must make them rank 0's
        var model = Convnet(bn: null);
        Distributed.BroadcastWeights(model);
        var (loss, gradients) = model.ComputeGradients(x.Slice(3 * world.Rank, 3), y.Slice(3 * world.Rank, 3));
        Distributed.AllReduceMean(gradients);
        model.Optimizer!.ApplyGradients(gradients);
        if (world.Rank != 0) return;
        DeepSharp.Rng.SetSeed(0);
        var single = Convnet(bn: null);
        using (World.Use(World.Single)) single.TrainStep(x, y);
        double diff = 0, scale = 0;
        var a = model.GetWeights();
        var b = single.GetWeights();
        for (int i = 0; i < a.Count; i++)
            for (int j = 0; j < b[i].Size; j++)
            {
                diff = Math.Max(diff, Math.Abs(a[i].Data[j] - b[i].Data[j]));
                scale = Math.Max(scale, Math.Abs(b[i].Data[j]));
            }
        CheckLine.Write($"CHECK equal-custom-loop weights {diff / scale:E2} logs 0 keys -");
    }

    private static void Compare(DistributedWorld world, string name, Func<Model> build, Func<Model, History> fit)
    {
        DeepSharp.Rng.SetSeed(42);
        var distributed = build();
        var history = fit(distributed);
        if (world.Rank != 0) return;
        DeepSharp.Rng.SetSeed(42);
        var single = build();
        History reference;
        using (World.Use(World.Single)) reference = fit(single);
        // Relative to the largest weight of the model: a tensor that starts at zero (a bias) holds only -lr·g after
        // one step, and float rounding of a gradient summed in another order is relative to the terms summed, not to g.
        double diff = 0, scale = 0;
        var a = distributed.GetWeights();
        var b = single.GetWeights();
        for (int i = 0; i < a.Count; i++)
            for (int j = 0; j < b[i].Size; j++)
            {
                diff = Math.Max(diff, Math.Abs(a[i].Data[j] - b[i].Data[j]));
                scale = Math.Max(scale, Math.Abs(b[i].Data[j]));
            }
        double weights = diff / scale;
        double logs = 0;
        foreach (var key in reference.Keys)
            for (int e = 0; e < reference[key].Count; e++)
                logs = Math.Max(logs, Math.Abs(history[key][e] - reference[key][e]) / Math.Max(Math.Abs(reference[key][e]), 1e-6));
        CheckLine.Write($"CHECK equal-{name} weights {weights:E2} logs {logs:E2} keys {string.Join(",", history.Keys)}");
    }

    internal static (Tensor X, Tensor Y) Arrays(int n, int seed, int channels = 2, int classes = 3)
    {
        var r = new Random(seed);
        var x = new Tensor(n, 6, 6, channels);
        for (int i = 0; i < x.Size; i++) x.Data[i] = (float)r.NextDouble();
        var y = new Tensor(n, classes);
        for (int i = 0; i < n; i++) y.Data[i * classes + r.Next(classes)] = 1;
        return (x, y);
    }

    internal static Model Convnet(BatchNormalization? bn, int classes = 3, int channels = 2)
    {
        var layers = new List<Layer> { new Conv2D(4, (3, 3), activation: "relu", inputShape: (6, 6, channels)) };
        if (bn is not null) layers.Add(bn);
        layers.AddRange([new MaxPooling2D((2, 2)), new Flatten(), new Dense(classes, activation: "softmax")]);
        var model = new Sequential([.. layers]);
        if (classes == 2) model = new Sequential(new Conv2D(4, (3, 3), activation: "relu", inputShape: (6, 6, 1)), new Flatten(), new Dense(2, activation: "softmax"));
        model.Compile(optimizer: Optimizer, loss: "categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    private static Model ConvnetWithMetrics()
    {
        var model = Convnet(bn: null);
        model.Compile(optimizer: Optimizer, loss: "categorical_crossentropy", metrics: ["accuracy", new Metrics.AUC(), "precision", "recall",
            new Metrics.AUC(curve: "PR", name: "pr_auc"), new Metrics.TopKCategoricalAccuracy(k: 2), "mse"]);
        return model;
    }

    private static Model Residual()
    {
        var inputs = new Input(6, 6, 2);
        var x = new Conv2D(4, (3, 3), padding: "same", activation: "relu").Call(inputs);
        var shortcut = x;
        x = new Conv2D(4, (3, 3), padding: "same").Call(x);
        x = new Add().Call(x, shortcut);
        x = new GlobalAveragePooling2D().Call(x);
        var model = new Model(inputs, new Dense(3, activation: "softmax").Call(x));
        model.Compile(optimizer: Optimizer, loss: "categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    /// <summary>A model of one Dense layer on 4 features, and n samples.</summary>
    internal static (Model Model, Tensor X, Tensor Y) SmallDense(int n)
    {
        DeepSharp.Rng.SetSeed(1);
        var model = new Sequential(new Dense(2, activation: "softmax", inputDim: 4));
        model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var x = new Tensor(n, 4);
        var y = new Tensor(n, 2);
        for (int i = 0; i < n; i++) { x.Data[i * 4 + i % 4] = 1; y.Data[i * 2 + i % 2] = 1; }
        return (model, x, y);
    }

    /// <summary>Two class folders of small grayscale PNGs; image i is filled with the value 10·i (so tests can tell them apart).</summary>
    internal static void WriteImageFolder(string dir, int n)
    {
        for (int i = 0; i < n; i++)
        {
            string cls = Path.Combine(dir, i % 2 == 0 ? "a" : "b");
            Directory.CreateDirectory(cls);
            var image = new Tensor(6, 6, 1);
            for (int p = 0; p < 36; p++) image.Data[p] = 10 * i + (p % 6 < 3 ? 0 : 3);
            ImageIO.SavePng(image, Path.Combine(cls, $"img{i:D2}.png"));
        }
    }
}
