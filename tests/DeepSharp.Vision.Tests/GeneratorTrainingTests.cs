using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Vision;
using SkiaSharp;

namespace DeepSharp.Vision.Tests;

/// <summary>A model trained from FlowFromDirectory on a small folder dataset of real JPEG files learns it.</summary>
public class GeneratorTrainingTests
{
    /// <summary>Class "horizontal": bright horizontal stripes; class "vertical": bright vertical stripes; random phase and noise.</summary>
    internal static void WriteStripes(string dir, string cls, bool horizontal, int count, Random r)
    {
        Directory.CreateDirectory(Path.Combine(dir, cls));
        for (int i = 0; i < count; i++)
        {
            int h = 40, w = 40, period = 4 + r.Next(4), phase = r.Next(period);
            var rgba = new byte[h * w * 4];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int t = horizontal ? y : x;
                    int v = ((t + phase) % period) < period / 2 ? 200 : 40;
                    v = Math.Clamp(v + r.Next(-30, 31), 0, 255);
                    int o = (y * w + x) * 4;
                    rgba[o] = rgba[o + 1] = rgba[o + 2] = (byte)v;
                    rgba[o + 3] = 255;
                }
            TestFiles.Write(Path.Combine(dir, cls, $"{cls}.{i}.jpg"), rgba, h, w, SKEncodedImageFormat.Jpeg, 90);
        }
    }

    [Fact]
    public void SmallConvnetLearnsAFolderDatasetFromAGenerator()
    {
        using var dir = new TempDir();
        var r = new Random(7);
        foreach (var split in new[] { "train", "validation" })
        {
            int n = split == "train" ? 60 : 20;
            WriteStripes(dir[split], "horizontal", true, n, r);
            WriteStripes(dir[split], "vertical", false, n, r);
        }
        Rng.SetSeed(2);
        var gen = new ImageDataGenerator(rescale: 1f / 255, horizontalFlip: true, seed: 1);
        using var train = gen.FlowFromDirectory(dir["train"], targetSize: (32, 32), batchSize: 16, classMode: ClassMode.Binary, seed: 3);
        using var validation = new ImageDataGenerator(rescale: 1f / 255).FlowFromDirectory(dir["validation"], targetSize: (32, 32),
            batchSize: 20, classMode: ClassMode.Binary, shuffle: false);

        var model = new Sequential(
            new Conv2D(8, (3, 3), activation: "relu", inputShape: (32, 32, 3)),
            new MaxPooling2D((2, 2)),
            new Conv2D(16, (3, 3), activation: "relu"),
            new MaxPooling2D((2, 2)),
            new Flatten(),
            new Dense(16, activation: "relu"),
            new Dense(1, activation: "sigmoid"));
        model.Compile(optimizer: new RMSprop(learningRate: 2e-3f), loss: "binary_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(train, epochs: 8, validationData: validation, verbose: 0);

        Assert.Equal(8, history["val_accuracy"].Count);
        Assert.True(history["val_accuracy"][^1] >= 0.9, $"val_accuracy {history["val_accuracy"][^1]}");

        // Predict with shuffle off maps back to Filenames: vertical files (class 1) score high.
        validation.Reset();
        var p = model.Predict(validation);
        Assert.Equal(validation.SampleCount, p.Dim(0));
        int correct = 0;
        for (int i = 0; i < p.Dim(0); i++)
            if ((p.Data[i] > 0.5f) == validation.Filenames[i].StartsWith("vertical")) correct++;
        Assert.True(correct >= 0.9 * p.Dim(0), $"{correct}/{p.Dim(0)} predictions match their file's class");
    }
}
