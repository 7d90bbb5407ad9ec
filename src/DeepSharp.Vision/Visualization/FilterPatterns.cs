using DeepSharp.Gradients;
using DeepSharp.Models;
using Microsoft.Extensions.Logging;

namespace DeepSharp.Vision;

/// <summary>
/// Chapter 5.4.2, visualizing convnet filters: gradient ascent in input space on the mean activation of one filter,
/// as the book does it: start from a gray image with noise (128 + 20·U(0, 1)), normalize the gradient by its RMS
/// (+ 1e-5), take 40 steps of size 1, then deprocess ((x − mean) / (std + 1e-5) · 0.1 + 0.5, clipped to 0–1, · 255).
/// </summary>
/// <example><code>
/// var pattern = FilterPatterns.Generate(model, "block3_conv1", filter: 0);
/// FilterPatterns.SaveGrid(model, "block1_conv1", "block1_conv1.png");   // the first 64 filters, 8×8
/// </code></example>
public static class FilterPatterns
{
    /// <summary>Pixels between patterns in a grid, as in the book.</summary>
    public const int Margin = 5;

    /// <summary>
    /// The pattern of filter <paramref name="filter"/> of layer <paramref name="layer"/> (nested bases included), at the
    /// model's input size. The ascent runs on 0–255 pixels; the model sees them times <paramref name="inputScale"/>,
    /// by default the model's own convention (<see cref="InputConvention.PixelScale"/>: 1 for a model that starts with a
    /// Rescaling layer, else 1/255 as the chapter's models are trained), the rule `deepsharp visualize filters` uses too.
    /// Give it for a base with other needs (1 for VGG16's caffe-preprocessed pixels).
    /// </summary>
    public static FilterPattern Generate(Model model, string layer, int filter, int steps = 40, double stepSize = 1, int seed = 0, double? inputScale = null)
    {
        float scale = (float)(inputScale ?? InputConvention.PixelScale(model));
        var target = model.GetLayer(layer, nested: true);
        if (target.Output.Shape.Length != 3)
            throw new ArgumentException($"Layer '{target.Name}' outputs (None, {string.Join(", ", target.Output.Shape)}): filter patterns need a layer with (height, width, filters) outputs, e.g. a Conv2D.");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), $"steps must be 0 or more, got {steps}.");
        var shape = model.InputShape ?? throw new ArgumentException($"Model '{model.Name}' has no input shape yet: give its first layer an inputShape.");
        var x = new Tensor([1, .. shape]);
        var random = new System.Random(seed);
        for (int i = 0; i < x.Size; i++) x.Span[i] = 128f + 20f * (float)random.NextDouble();
        var objective = Objective.ChannelMean(target, filter);
        var history = new double[steps + 1];
        var scaled = new Tensor([1, .. shape]);
        for (int s = 0; s <= steps; s++)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(x.Span, scale, scaled.Span);
            var r = model.Gradient(scaled, objective);   // d/dx = inputScale · d/d(scaled): the RMS normalization removes the factor
            history[s] = r.Objective[0];
            if (s == steps) break;
            var g = r.Gradient.Span;
            double rms = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(g) / g.Length) + 1e-5;
            for (int i = 0; i < x.Size; i++) x.Span[i] += (float)stepSize * (float)(g[i] / rms);
        }
        return new FilterPattern(Deprocess(x.Reshape(shape)), history);
    }

    /// <summary>The book's deprocess_image: (x − mean) / (std + 1e-5) · 0.1 + 0.5, clipped to 0–1, times 255.</summary>
    internal static Tensor Deprocess(Tensor x)
    {
        var y = x.Clone();
        double mean = 0;
        foreach (float v in y.Span) mean += v;
        mean /= y.Size;
        double var = 0;
        foreach (float v in y.Span) var += (v - mean) * (v - mean);
        double std = Math.Sqrt(var / y.Size);
        for (int i = 0; i < y.Size; i++)
            y.Span[i] = (float)(Math.Clamp((y.Span[i] - mean) / (std + 1e-5) * 0.1 + 0.5, 0, 1) * 255);
        return y;
    }

    /// <summary>
    /// Writes a grid of the patterns of the first <paramref name="count"/> filters (8 per row, 5-pixel margins, the layer's
    /// name as the title) to <paramref name="path"/> and returns the patterns. Filters whose objective stayed at exactly 0
    /// for every step (<see cref="FilterPattern.StayedAtZero"/>) are named in one warning to
    /// <see cref="DeepSharp.Logging.DeepSharpLogging.Logger"/>: their tiles show only the starting noise.
    /// </summary>
    public static IReadOnlyList<FilterPattern> SaveGrid(Model model, string layer, string path, int count = 64, int steps = 40, int seed = 0, double? inputScale = null)
    {
        var target = model.GetLayer(layer, nested: true);
        int filters = target.Output.Shape[^1];
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"count must be positive, got {count}.");
        count = Math.Min(count, filters);
        var patterns = new List<FilterPattern>();
        for (int f = 0; f < count; f++) patterns.Add(Generate(model, layer, f, steps, 1f, seed + f, inputScale));
        int h = patterns[0].Image.Dim(0), w = patterns[0].Image.Dim(1), c = patterns[0].Image.Dim(2);
        const int perRow = 8;
        int cols = Math.Min(perRow, count), rows = (count + perRow - 1) / perRow;
        var grid = new PictureGrid(cols * w + (cols - 1) * Margin, rows * h + (rows - 1) * Margin, $"{target.Name}: filters 0–{count - 1}");
        for (int f = 0; f < count; f++)
        {
            int x0 = (f % perRow) * (w + Margin), y0 = (f / perRow) * (h + Margin);
            var img = patterns[f].Image.ToArray();
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int at = (y * w + x) * c;
                    byte Px(int k) => (byte)(int)(img[at + (c >= 3 ? k : 0)] + 0.5f);
                    grid.Set(x0 + x, y0 + y, (Px(0), Px(1), Px(2)));
                }
        }
        grid.SavePng(path);
        var zero = Enumerable.Range(0, count).Where(f => patterns[f].StayedAtZero).ToList();
        if (zero.Count > 0)
            Logging.DeepSharpLogging.Logger.LogWarning(
                "{Count} of {Total} filters of layer '{Layer}' stayed at an objective of exactly 0 for all {Steps} steps: {Filters}. " +
                "They never activate on the gray start image at input scale {Scale:G4} (no gradient to climb), so their tiles show only the starting noise; " +
                "a different --rescale/inputScale or seed may wake them.",
                zero.Count, count, target.Name, steps, string.Join(", ", zero), inputScale ?? InputConvention.PixelScale(model));
        return patterns;
    }
}
