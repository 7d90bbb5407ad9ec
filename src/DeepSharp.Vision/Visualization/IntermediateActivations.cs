using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Vision;

/// <summary>
/// Chapter 5.4.1, visualizing intermediate activations: for one image, a PNG grid per layer showing every channel of
/// the layer's output, 16 per row, each channel post-processed as the book does ((x − mean) / std · 64 + 128, clipped
/// to 0–255) and drawn with the viridis colormap, with the layer's name as the title.
/// </summary>
/// <example><code>
/// var image = ImageIO.Load("cat.1700.jpg", targetSize: (150, 150)) / 255f;
/// foreach (var file in IntermediateActivations.Save(model, image, "activations")) Console.WriteLine(file);
/// </code></example>
public static class IntermediateActivations
{
    /// <summary>Channels per row of a grid, as in the book.</summary>
    public const int ImagesPerRow = 16;

    /// <summary>
    /// Writes <c>DIR/NN_layer.png</c> for each layer in <paramref name="layers"/> (default: every layer, nested ones too,
    /// whose output has height, width and channels) and returns the paths. <paramref name="image"/> is one preprocessed
    /// image, (height, width, channels) or (1, height, width, channels), the model's input size.
    /// </summary>
    public static IReadOnlyList<string> Save(Model model, Tensor image, string outputDirectory, IEnumerable<string>? layers = null)
    {
        var x = VisionChecks.SingleImage(model, image);
        var chosen = layers is null
            ? model.FlattenLayers().Where(l => l.Output.Shape.Length == 3).ToList()
            : layers.Select(name => model.GetLayer(name, nested: true)).ToList();
        foreach (var l in chosen)
            if (l.Output.Shape.Length != 3)
                throw new ArgumentException($"Layer '{l.Name}' outputs (None, {string.Join(", ", l.Output.Shape)}), which has no height and width to draw: " +
                    "choose convolution, pooling or activation layers of the convolutional part.");
        if (chosen.Count == 0) throw new ArgumentException($"Model '{model.Name}' has no layer with an (height, width, channels) output to draw.");
        var activations = model.PredictOutputs(x, chosen, batchSize: 1);
        Directory.CreateDirectory(outputDirectory);
        var files = new List<string>();
        for (int i = 0; i < chosen.Count; i++)
        {
            var grid = Render(activations[i], chosen[i].Name);
            string path = Path.Combine(outputDirectory, $"{i + 1:D2}_{chosen[i].Name}.png");
            grid.SavePng(path);
            files.Add(path);
        }
        return files;
    }

    /// <summary>
    /// The grid for one (1, h, w, channels) activation: cells of h×w pixels (enlarged by an integer factor so that a
    /// cell is at least 48 pixels wide), one pixel apart, 16 per row.
    /// </summary>
    internal static PictureGrid Render(Tensor activation, string title)
    {
        int h = activation.Dim(1), w = activation.Dim(2), c = activation.Dim(3);
        int zoom = Math.Max(1, (int)Math.Ceiling(48.0 / Math.Max(h, w)));
        int cellH = h * zoom, cellW = w * zoom, gap = 1;
        int cols = Math.Min(ImagesPerRow, c), rows = (c + ImagesPerRow - 1) / ImagesPerRow;
        var grid = new PictureGrid(cols * (cellW + gap) - gap, rows * (cellH + gap) - gap, title, background: 255);
        var values = new float[h * w];
        for (int ch = 0; ch < c; ch++)
        {
            for (int p = 0; p < h * w; p++) values[p] = activation.Span[p * c + ch];
            Postprocess(values);
            int x0 = (ch % ImagesPerRow) * (cellW + gap), y0 = (ch / ImagesPerRow) * (cellH + gap);
            for (int y = 0; y < cellH; y++)
                for (int x = 0; x < cellW; x++)
                    grid.Set(x0 + x, y0 + y, Colormaps.Viridis(values[(y / zoom) * w + x / zoom] / 255f));
        }
        return grid;
    }

    /// <summary>The book's post-processing of one channel: (x − mean) / std · 64 + 128, clipped to 0–255 (a constant channel stays 128).</summary>
    internal static void Postprocess(Span<float> v)
    {
        double mean = 0;
        foreach (float a in v) mean += a;
        mean /= v.Length;
        double var = 0;
        foreach (float a in v) var += (a - mean) * (a - mean);
        double std = Math.Sqrt(var / v.Length);
        for (int i = 0; i < v.Length; i++)
        {
            double z = std > 0 ? (v[i] - mean) / std : 0;
            v[i] = (float)Math.Clamp(z * 64 + 128, 0, 255);
        }
    }
}
