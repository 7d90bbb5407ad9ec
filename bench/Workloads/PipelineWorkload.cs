using DeepSharp.Optimizers;
using DeepSharp.Vision;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>pipeline</c>: the image pipeline of chapter 5.2 on real JPEG files (150×150, the chapter's augmentation,
/// batch 32): its images/s on its own, then the share of a cats-vs-dogs training step spent waiting for data.
/// The JPEG folder is written to a temporary folder first (from synthetic grayscale shapes) and deleted after.
/// First (<see cref="PipelineComparison"/>): Keras 3's ImageDataset.FromDirectory against FlowFromDirectory on the same
/// 500×375 JPEGs at 180×180; <c>--compare-only</c> stops after that table.
/// </summary>
public sealed class PipelineWorkload : IWorkload
{
    public string Name => "pipeline";
    public string Description => "image pipeline (JPEG decode + augmentation, 150x150, batch 32): images/s alone and data-wait share of training";

    public void Run(BenchOptions options)
    {
        Backends.Cpu.Workers.SetThreadCount(options.Threads());
        int perClass = options.Int("images", 200), batches = options.Int("batches", 20), steps = options.Int("steps", 10);
        string dir = Path.Combine(Path.GetTempPath(), "deepsharp-bench-pipeline-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string comparePhotos = Path.Combine(dir, "compare");
            WritePhotos(comparePhotos, options.Int("compare-photos", 256));
            var comparison = new ResultTable("Keras 3's ImageDataset vs ImageDataGenerator, 500x375 JPEG -> 180x180, batch 32", "img/s");
            PipelineComparison.Run(comparePhotos, comparison, options.Int("compare-batches", 16), options.Int("rounds", 3));
            comparison.Print();
            if (options.Flag("compare-only")) return;

            WriteDataset(dir, perClass);
            var augment = new ImageDataGenerator(rescale: 1f / 255, rotationRange: 40, widthShiftRange: 0.2f, heightShiftRange: 0.2f,
                shearRange: 0.2f, zoomRange: 0.2f, horizontalFlip: true, fillMode: FillMode.Nearest, seed: 1);
            var table = new ResultTable("measurement", "value");
            using (var flow = augment.FlowFromDirectory(Path.Combine(dir, "train"), (150, 150), batchSize: 32, classMode: ClassMode.Binary, seed: 1))
                table.Add("pipeline alone, augmented (img/s)", ResultTable.Num(flow.MeasureImagesPerSecond(batches), 0));
            using (var flow = new ImageDataGenerator(rescale: 1f / 255).FlowFromDirectory(Path.Combine(dir, "train"), (150, 150), batchSize: 32, classMode: ClassMode.Binary, seed: 1))
                table.Add("pipeline alone, decode only (img/s)", ResultTable.Num(flow.MeasureImagesPerSecond(batches), 0));

            // The chapter's real case: ~500x375 photos resized to 150x150, exact (Keras' pixels) and with fastDecode
            // (libjpeg DCT scaling first). A/B alternated so that both see the same machine load; the best round is kept.
            string photos = Path.Combine(dir, "photos");
            WritePhotos(photos, options.Int("photos", 64));
            var plain = new ImageDataGenerator(rescale: 1f / 255);
            foreach (var (generator, what) in new[] { (plain, "decode only"), (augment, "augmented") })
            {
                double exact = 0, fast = 0;
                for (int round = 0; round < 3; round++)
                    foreach (bool fastDecode in new[] { false, true })
                    {
                        using var flow = generator.FlowFromDirectory(photos, (150, 150), batchSize: 32, classMode: ClassMode.Binary, seed: 1, fastDecode: fastDecode);
                        double v = flow.MeasureImagesPerSecond(batches);
                        if (fastDecode) fast = Math.Max(fast, v); else exact = Math.Max(exact, v);
                    }
                table.Add($"500x375 JPEG -> 150x150, {what}, exact decode (img/s)", ResultTable.Num(exact, 0));
                table.Add($"500x375 JPEG -> 150x150, {what}, fastDecode (img/s)", ResultTable.Num(fast, 0));
            }

            var model = ModelBench.CatsDogsModel();
            model.Compile(optimizer: new RMSprop(learningRate: 1e-4f), loss: "binary_crossentropy", metrics: ["accuracy"]);
            using var train = augment.FlowFromDirectory(Path.Combine(dir, "train"), (150, 150), batchSize: 32, classMode: ClassMode.Binary, seed: 2);
            model.Fit(train, stepsPerEpoch: 2, epochs: 1, verbose: 0);   // warm-up: buffers, JIT
            model.Fit(train, stepsPerEpoch: steps, epochs: 1, verbose: 0);
            var t = model.LastFitTimings;
            table.Add("training step with augmented batches of 32 (s)", ResultTable.Num(t.TotalSeconds / t.Steps, 3));
            table.Add("share of training spent waiting for data", $"{100 * t.DataWaitShare:F1} %");
            table.Print();
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Two classes of 500×375 colour JPEGs (smooth gradients with noise and a bright disc), quality 90.</summary>
    private static void WritePhotos(string dir, int count)
    {
        var r = new Random(4);
        for (int i = 0; i < count; i++)
        {
            string folder = Path.Combine(dir, i % 2 == 0 ? "cats" : "dogs");
            Directory.CreateDirectory(folder);
            using var bmp = new SkiaSharp.SKBitmap(500, 375);
            int cx = 100 + r.Next(300), cy = 80 + r.Next(200);
            for (int y = 0; y < 375; y++)
                for (int x = 0; x < 500; x++)
                {
                    bool disc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < 3600;
                    int n = r.Next(-15, 16);
                    bmp.SetPixel(x, y, new SkiaSharp.SKColor((byte)Math.Clamp(x / 2 + n + (disc ? 60 : 0), 0, 255),
                        (byte)Math.Clamp(y / 2 + n, 0, 255), (byte)Math.Clamp((x + y) / 4 + n, 0, 255)));
                }
            using var data = bmp.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(folder, $"{i}.jpg"), data.ToArray());
        }
    }

    /// <summary>Two classes of 28×28 grayscale shapes (discs and bars with noise), upscaled to 150×150 JPEGs.</summary>
    private static void WriteDataset(string dir, int perClass)
    {
        var r = new Random(3);
        int n = 2 * perClass;
        var images = new Tensor(n, 28, 28, 1);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            int cx = 8 + r.Next(12), cy = 8 + r.Next(12);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    bool on = labels[i] == 0 ? (x - cx) * (x - cx) + (y - cy) * (y - cy) < 36 : Math.Abs(x - cx) < 2;
                    images[i, y, x, 0] = Math.Clamp((on ? 220 : 30) + r.Next(-20, 21), 0, 255);
                }
        }
        DatasetMaker.WriteFolders(images, labels, ["discs", "bars"], dir, perClass, 0, 0, size: 150);
    }
}
