using System.Diagnostics;
using DeepSharp.Data;
using DeepSharp.Vision;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>pipeline</c>'s first table: the same folder of 500×375 photo-like JPEGs read in batches of 32 at 180×180 through
/// Keras 3's way (<c>ImageDataset.FromDirectory</c>: parallel Map decode, Batch, Prefetch) and the 2017 way
/// (<c>ImageDataGenerator.FlowFromDirectory</c>), for decode + resize (nearest and bilinear) and decode + bilinear resize +
/// a random horizontal flip (Keras 3's RandomFlip layer in a Map over the batches; the generator's <c>horizontalFlip</c>). The paths are alternated
/// round by round (A B, B A, ...) so both see the same machine load; each figure is the median of the rounds.
/// </summary>
internal static class PipelineComparison
{
    public static void Run(string photos, ResultTable table, int batches, int rounds)
    {
        (string Name, Func<double> Measure)[] paths =
        [
            ("decode + nearest resize, FlowFromDirectory", () => Generator(photos, Interpolation.Nearest, flip: false, batches)),
            ("decode + nearest resize, ImageDataset.FromDirectory", () => Dataset(photos, Interpolation.Nearest, flip: false, batches)),
            ("decode + bilinear resize, FlowFromDirectory", () => Generator(photos, Interpolation.Bilinear, flip: false, batches)),
            ("decode + bilinear resize, ImageDataset.FromDirectory", () => Dataset(photos, Interpolation.Bilinear, flip: false, batches)),
            ("decode + bilinear + random flip, FlowFromDirectory(horizontalFlip)", () => Generator(photos, Interpolation.Bilinear, flip: true, batches)),
            ("decode + bilinear + random flip, ImageDataset + Map(RandomFlip layer)", () => Dataset(photos, Interpolation.Bilinear, flip: true, batches)),
        ];
        var results = paths.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < rounds; round++)
            for (int pair = 0; pair < paths.Length; pair += 2)
                foreach (int k in round % 2 == 0 ? new[] { pair, pair + 1 } : [pair + 1, pair])
                    results[k].Add(paths[k].Measure());
        for (int k = 0; k < paths.Length; k++)
        {
            var sorted = results[k].Order().ToArray();
            table.Add($"{paths[k].Name} (img/s, median of {rounds}: {string.Join(" ", results[k].Select(v => v.ToString("F0")))})", ResultTable.Num(sorted[sorted.Length / 2], 0));
        }
    }

    private static double Generator(string photos, Interpolation interpolation, bool flip, int batches)
    {
        var generator = new ImageDataGenerator(horizontalFlip: flip, seed: 1);
        using var it = generator.FlowFromDirectory(photos, (180, 180), batchSize: 32, classMode: ClassMode.Binary, seed: 1, interpolation: interpolation);
        return Time(it, batches);
    }

    private static double Dataset(string photos, Interpolation interpolation, bool flip, int batches)
    {
        DeepSharp.Data.Dataset ds = ImageDataset.FromDirectory(photos, labelMode: LabelMode.Binary, imageSize: (180, 180), batchSize: 32, seed: 1,
            interpolation: interpolation, verbose: false);
        if (flip)
        {
            // Keras 3's augmentation layer, in training mode, on each batch (sequential: the layer reuses its output buffer,
            // which the reader is done with when it asks for the next batch).
            var layer = new DeepSharp.Layers.RandomFlip("horizontal", seed: 1);
            ds = ds.Map((x, y) => (layer.Forward([x], training: true), y));
        }
        using (ds) return Time((IBatchGenerator)ds, batches);
    }

    /// <summary>Images per second over <paramref name="batches"/> batches after one warm-up batch (as BatchIterator.MeasureImagesPerSecond).</summary>
    private static double Time(IBatchGenerator g, int batches)
    {
        g.Next();
        long images = 0;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++) images += g.Next().X.Dim(0);
        return images / sw.Elapsed.TotalSeconds;
    }
}
