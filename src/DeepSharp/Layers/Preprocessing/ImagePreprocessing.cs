using System.Text.Json.Nodes;
using DeepSharp.Backends;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// What Keras 3's image preprocessing layers share (keras/src/layers/preprocessing/image_preprocessing/
/// base_image_preprocessing_layer.py): argument checks that name the layer and the argument, the factor ranges, the
/// crop-to-aspect-ratio window, the seeded generator, and the config keys.
/// </summary>
internal static class ImagePreprocessing
{
    /// <summary>Keras' fill modes of the affine layers (RandomRotation, RandomZoom, RandomTranslation).</summary>
    public static ImageFill ParseFill(Layer layer, string fillMode) => fillMode switch
    {
        "reflect" => ImageFill.Reflect,
        "wrap" => ImageFill.Wrap,
        "constant" => ImageFill.Constant,
        "nearest" => ImageFill.Nearest,
        _ => throw new ArgumentException($"{layer.ClassName} '{layer.Name}': fill_mode \"{fillMode}\" is not supported; expected \"reflect\", \"wrap\", \"constant\" or \"nearest\".", nameof(fillMode)),
    };

    /// <summary>True for "nearest", false for "bilinear" (the two interpolations of Keras' affine transform).</summary>
    public static bool ParseAffineInterpolation(Layer layer, string interpolation) => interpolation switch
    {
        "nearest" => true,
        "bilinear" => false,
        _ => throw new ArgumentException($"{layer.ClassName} '{layer.Name}': interpolation \"{interpolation}\" is not supported; expected \"bilinear\" or \"nearest\".", nameof(interpolation)),
    };

    /// <summary>
    /// A factor given as one number f (the range (-|f|, |f|), the lower end raised to <paramref name="min"/>, as Keras'
    /// <c>_set_factor</c>) or as a (lower, upper) pair (sorted), each number checked against [min, max] (an open lower end
    /// when <paramref name="openMin"/>).
    /// </summary>
    public static (double Lower, double Upper) Factor(Layer layer, string argument, double[] factor, double min, double max, bool openMin, string meaning)
    {
        string range = $"{(openMin ? "(" : "[")}{min}, {max}]";
        if (factor.Length is not (1 or 2) || factor.Any(f => double.IsNaN(f) || f > max || (openMin ? f <= min : f < min)))
            throw new ArgumentOutOfRangeException(argument,
                $"{layer.ClassName} '{layer.Name}': {argument} {Format(factor)} is out of range; expected a number or a pair (lower, upper) in {range} ({meaning}).");
        if (factor.Length == 2) return (Math.Min(factor[0], factor[1]), Math.Max(factor[0], factor[1]));
        double f = Math.Abs(factor[0]);
        return (Math.Max(-f, min), f);
    }

    /// <summary>A number or a pair, as Keras writes it in a config.</summary>
    public static object ToConfig(double[] values) => values.Length == 1 ? values[0] : values.ToArray();

    /// <summary>A config value that is a number or a list of numbers.</summary>
    public static double[] ReadNumbers(LayerConfig c, string key, double[] fallback)
    {
        var node = c.Json[key];
        try
        {
            return node switch
            {
                null => fallback,
                JsonArray a => a.Select(v => v!.GetValue<double>()).ToArray(),
                _ => [node.GetValue<double>()],
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException)
        {
            throw new FormatException($"{c.ClassName} '{c.Name}': config key \"{key}\" has value {node!.ToJsonString()}; expected a number or a list of numbers.", e);
        }
    }

    /// <summary>A (low, high) value range; Keras sorts it.</summary>
    public static (double Low, double High) ValueRange(Layer layer, double[] valueRange)
    {
        if (valueRange.Length != 2 || valueRange.Any(double.IsNaN))
            throw new ArgumentException($"{layer.ClassName} '{layer.Name}': value_range {Format(valueRange)} must be two numbers (low, high), e.g. (0, 255) or (0, 1).", nameof(valueRange));
        return (Math.Min(valueRange[0], valueRange[1]), Math.Max(valueRange[0], valueRange[1]));
    }

    /// <summary>A positive output size.</summary>
    public static int Size(Layer layer, string argument, int value) => value > 0 ? value
        : throw new ArgumentOutOfRangeException(argument, $"{layer.ClassName} '{layer.Name}': {argument} must be a positive number of pixels, got {value}.");

    /// <summary>The layer's generator: seeded when a seed is given, else forked from the global seeded <see cref="Rng"/>.</summary>
    public static System.Random Random(int? seed) => seed is { } s ? new System.Random(s) : Rng.Fork();

    /// <summary>Keras' uniform(lo, hi) draw.</summary>
    public static double Uniform(System.Random r, double lo, double hi) => lo + (hi - lo) * r.NextDouble();

    /// <summary>
    /// The largest window of the target's aspect ratio, centred (Keras' <c>crop_to_aspect_ratio</c> and <c>smart_resize</c>):
    /// (start, size) along the height and along the width.
    /// </summary>
    public static (int Top, int Height, int Left, int Width) AspectWindow(int height, int width, int targetHeight, int targetWidth)
    {
        int cropHeight = Math.Max(Math.Min(height, (int)((double)width * targetHeight / targetWidth)), 1);
        int cropWidth = Math.Max(Math.Min(width, (int)((double)height * targetWidth / targetHeight)), 1);
        return ((int)((double)(height - cropHeight) / 2), cropHeight, (int)((double)(width - cropWidth) / 2), cropWidth);
    }

    /// <summary>Images only: (height, width, channels) per sample.</summary>
    public static void ExpectImages(Layer layer, int[] input)
    {
        if (input.Length != 3)
            throw new ArgumentException($"{layer.ClassName} '{layer.Name}' expects images of shape (batch, height, width, channels) but got input of shape (None, {string.Join(", ", input)}). Put it on the image input of the model.");
    }

    /// <summary>The one error of a random layer asked for an input gradient of a training-mode call.</summary>
    public static NotSupportedException NoTrainingGradient(Layer layer) => new(
        $"{layer.ClassName} '{layer.Name}' cannot pass a gradient to its input in training mode (its random transform has no backward pass). " +
        "Put the augmentation layers first, before any layer with weights, as Keras' examples do; in inference mode it is the identity and passes gradients.");

    /// <summary>The keys every preprocessing layer adds to its config (Keras' base: data_format).</summary>
    public static void AddDataFormat(Dictionary<string, object?> c) => c["data_format"] = "channels_last";

    private static string Format(double[] values) => values.Length == 1
        ? values[0].ToString(System.Globalization.CultureInfo.InvariantCulture)
        : "(" + string.Join(", ", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")";
}
