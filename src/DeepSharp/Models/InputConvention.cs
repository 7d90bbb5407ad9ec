using DeepSharp.Layers;

namespace DeepSharp.Models;

/// <summary>
/// What a model expects of 0–255 pixels, read from the model itself: the one rule the visualizations
/// (<c>FilterPatterns</c>) and every command of the command line share.
/// </summary>
public static class InputConvention
{
    /// <summary>
    /// The factor 0–255 pixels need before the model sees them: 1 when the model prepares its own pixels (its first
    /// layer, or the first layer of a model nested first in it, is a <see cref="Rescaling"/>, as in models that
    /// <c>deepsharp train --base</c> saves), else 1/255, the chapter's convention (its models are trained on
    /// <c>ImageDataGenerator(rescale: 1/255)</c> batches).
    /// </summary>
    /// <example><code>
    /// var x = ImageIO.Load("cat.jpg", targetSize: (150, 150)) * InputConvention.PixelScale(model);
    /// </code></example>
    public static double PixelScale(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return TakesRawPixels(model) ? 1 : 1.0 / 255;
    }

    private static bool TakesRawPixels(Model model) => model.Layers.FirstOrDefault() switch
    {
        Rescaling => true,
        Model nested => TakesRawPixels(nested),
        _ => false,
    };
}
