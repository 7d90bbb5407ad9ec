using DeepSharp.Gradients;
using DeepSharp.Layers;
using DeepSharp.Models;
using Microsoft.Extensions.Logging;

namespace DeepSharp.Vision;

/// <summary>
/// Chapter 5.4.3, heatmaps of class activation (Grad-CAM): the gradient of a class score (before the final softmax)
/// with respect to a convolutional layer's output; each channel weighted by the spatial mean of its gradient; the
/// weighted sum of the channels through a ReLU, normalized to 0–1. <see cref="Save"/> resizes it to the image, colors it
/// with the jet colormap and blends it at 0.4 over the original.
/// </summary>
/// <example><code>
/// var original = ImageIO.Load("elephant.jpg", targetSize: (224, 224));
/// var cam = GradCam.Compute(model, original / 255f);                 // top prediction, last convolutional layer
/// GradCam.Save(cam, original, "gradcam");                           // heatmap.png, overlay.png, heatmap.npy
/// </code></example>
public static class GradCam
{
    /// <summary>The heatmap's weight in the overlay.</summary>
    public const float OverlayAlpha = 0.4f;

    /// <summary>
    /// Grad-CAM of class <paramref name="classIndex"/> (default: the top prediction; for a single sigmoid unit, class 1
    /// is "p ≥ 0.5") on <paramref name="layer"/> (default: the last convolutional layer, nested bases included) for one
    /// preprocessed image of the model's input size.
    /// </summary>
    public static GradCamResult Compute(Model model, Tensor image, int? classIndex = null, string? layer = null, IReadOnlyList<string>? classNames = null)
    {
        var x = VisionChecks.SingleImage(model, image);
        var target = layer is null ? LastConvolution(model) : model.GetLayer(layer, nested: true);
        var shape = target.Output.Shape;
        if (shape.Length != 3)
            throw new ArgumentException($"Layer '{target.Name}' is not convolutional: its output (None, {string.Join(", ", shape)}) has no height and width, " +
                $"so it cannot show where the evidence is. Give a convolutional layer, e.g. the last one, '{LastConvolution(model).Name}'.");
        int c = classIndex ?? TopClass(model, x);
        if (classNames is not null && classNames.Count != ClassCount(model))
            throw new ArgumentException($"{classNames.Count} class names were given but the model has {ClassCount(model)} classes.");

        var (heat, max, score) = RawMap(model, x, c, target);
        if (max > 0) System.Numerics.Tensors.TensorPrimitives.Divide(heat.Span, max, heat.Span);
        else WarnEmpty(model, x, c, target, classNames);
        return new GradCamResult(heat, c, classNames is not null && c < classNames.Count ? classNames[c] : null, target.Name, score);
    }

    /// <summary>The map before normalization (the ReLU of the gradient-weighted channel sum), its maximum and the class score.</summary>
    private static (Tensor Heat, float Max, double Score) RawMap(Model model, Tensor x, int c, Layer target)
    {
        var shape = target.Output.Shape;
        var r = model.Gradient(x, Objective.ClassScore(c), withRespectTo: target);
        int h = shape[0], w = shape[1], k = shape[2];
        var weights = new double[k];
        for (int p = 0; p < h * w; p++)
            for (int ch = 0; ch < k; ch++) weights[ch] += r.Gradient.Span[p * k + ch];
        var heat = new Tensor(h, w);
        for (int p = 0; p < h * w; p++)
        {
            double s = 0;
            for (int ch = 0; ch < k; ch++) s += weights[ch] / (h * w) * r.Value.Span[p * k + ch];
            heat.Span[p] = (float)Math.Max(s, 0);
        }
        return (heat, System.Numerics.Tensors.TensorPrimitives.Max(heat.Span), r.Objective[0]);
    }

    /// <summary>
    /// An all-zero map is an answer, not a failure: nothing at this layer raises the class score. The warning says so
    /// and names the nearest earlier convolutional layer whose map is not all zero, if any.
    /// </summary>
    private static void WarnEmpty(Model model, Tensor x, int c, Layer target, IReadOnlyList<string>? classNames)
    {
        var convolutions = model.FlattenLayers().Where(l => l.ClassName.Contains("Conv", StringComparison.OrdinalIgnoreCase) && l.Output.Shape.Length == 3).ToList();
        int at = convolutions.IndexOf(target);
        string? earlier = null;
        for (int i = (at < 0 ? convolutions.Count : at) - 1; i >= 0 && earlier is null; i--)
            if (RawMap(model, x, c, convolutions[i]).Max > 0) earlier = convolutions[i].Name;
        string cls = classNames is not null && c < classNames.Count ? $"{c} ('{classNames[c]}')" : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Logging.DeepSharpLogging.Logger.LogWarning(
            "Grad-CAM of class {Class} at layer '{Layer}' is all zero: no positive evidence for that class at that layer " +
            "(no location's gradient-weighted activations raise its score). {Earlier}",
            cls, target.Name, earlier is not null
                ? $"The earlier layer '{earlier}' does show some: ask for it (layer: \"{earlier}\", or --layer {earlier})."
                : "No earlier convolutional layer shows any either.");
    }

    /// <summary>Grad-CAM of the class called <paramref name="className"/> in <paramref name="classNames"/> (the model's class order).</summary>
    public static GradCamResult Compute(Model model, Tensor image, string className, IReadOnlyList<string> classNames, string? layer = null)
    {
        int c = classNames.ToList().IndexOf(className);
        if (c < 0) throw new ArgumentException($"There is no class '{className}'. The classes are: {string.Join(", ", classNames.Select((n, i) => $"{i} = {n}"))}.");
        return Compute(model, image, c, layer, classNames);
    }

    /// <summary>
    /// Writes <c>heatmap.png</c> (the map resized to the image, jet colors), <c>overlay.png</c> (the map blended at 0.4
    /// over <paramref name="original"/>, an image of 0–255 values) and <c>heatmap.npy</c> (the raw map, layer resolution),
    /// and returns their paths.
    /// </summary>
    public static IReadOnlyList<string> Save(GradCamResult result, Tensor original, string outputDirectory)
    {
        if (original.Rank == 4 && original.Dim(0) == 1) original = original.Reshape(original.Dim(1), original.Dim(2), original.Dim(3));
        if (original.Rank != 3 || original.Dim(2) is not (1 or 3))
            throw new ArgumentException($"The original image must be (height, width, 1 or 3) with values 0–255 but has shape {Tensor.FormatShape(original.Shape)}.");
        int height = original.Dim(0), width = original.Dim(1), c = original.Dim(2);
        var resized = Resize(result.Heatmap, height, width);
        var heat = new PictureGrid(width, height, null);
        var overlay = new PictureGrid(width, height, null);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var jet = Colormaps.Jet(resized[y * width + x]);
                heat.Set(x, y, jet);
                int at = (y * width + x) * c;
                float r = original.Span[at], g = original.Span[at + (c == 3 ? 1 : 0)], b = original.Span[at + (c == 3 ? 2 : 0)];
                overlay.Set(x, y, (Blend(r, jet.R), Blend(g, jet.G), Blend(b, jet.B)));
            }
        Directory.CreateDirectory(outputDirectory);
        string heatPath = Path.Combine(outputDirectory, "heatmap.png"), overlayPath = Path.Combine(outputDirectory, "overlay.png"),
            npyPath = Path.Combine(outputDirectory, "heatmap.npy");
        heat.SavePng(heatPath);
        overlay.SavePng(overlayPath);
        NpyWriter.Write(npyPath, result.Heatmap.Span, result.Heatmap.Dim(0), result.Heatmap.Dim(1));
        return [heatPath, overlayPath, npyPath];
    }

    private static byte Blend(float original, byte heat) =>
        (byte)(int)Math.Clamp((1 - OverlayAlpha) * original + OverlayAlpha * heat + 0.5f, 0f, 255f);

    /// <summary>Bilinear resize of an (h, w) map (pixel centres aligned, edges clamped, as PIL and OpenCV do).</summary>
    internal static float[] Resize(Tensor map, int outH, int outW)
    {
        int h = map.Dim(0), w = map.Dim(1);
        var result = new float[outH * outW];
        for (int y = 0; y < outH; y++)
        {
            double sy = Math.Clamp((y + 0.5) * h / outH - 0.5, 0, h - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < outW; x++)
            {
                double sx = Math.Clamp((x + 0.5) * w / outW - 0.5, 0, w - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, w - 1);
                double fx = sx - x0;
                double top = map.Span[y0 * w + x0] * (1 - fx) + map.Span[y0 * w + x1] * fx;
                double bottom = map.Span[y1 * w + x0] * (1 - fx) + map.Span[y1 * w + x1] * fx;
                result[y * outW + x] = (float)(top * (1 - fy) + bottom * fy);
            }
        }
        return result;
    }

    /// <summary>The last layer with a convolution in its class name and a (height, width, channels) output.</summary>
    internal static Layer LastConvolution(Model model) =>
        model.FlattenLayers().LastOrDefault(l => l.ClassName.Contains("Conv", StringComparison.OrdinalIgnoreCase) && l.Output.Shape.Length == 3)
        ?? throw new ArgumentException($"Model '{model.Name}' has no convolutional layer, so Grad-CAM has nothing to localize with. Its layers are: {string.Join(", ", model.FlattenLayers().Select(l => l.Name))}.");

    /// <summary>Whether the model's last layer ends in a sigmoid (a probability, thresholded at 0.5; else a score, at 0).</summary>
    private static bool EndsInSigmoid(Layer last) => last switch
    {
        Dense d => d.Activation == ActivationKind.Sigmoid,
        Conv2D c => c.Activation == ActivationKind.Sigmoid,
        Activation a => a.Kind == ActivationKind.Sigmoid,
        _ => false,
    };

    private static int ClassCount(Model model)
    {
        int units = model.OutputShapePerSample![^1];
        return units == 1 ? 2 : units;
    }

    private static int TopClass(Model model, Tensor x)
    {
        var p = model.Predict(x, batchSize: 1);
        if (p.Size == 1) return p.Span[0] >= (EndsInSigmoid(model.FlattenLayers()[^1]) ? 0.5f : 0f) ? 1 : 0;
        return System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p.Span);
    }
}
