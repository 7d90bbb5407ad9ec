namespace DeepSharp.Vision;

/// <summary>
/// The filter used to resize a decoded image to the target size, with PIL's definitions
/// (Keras' <c>interpolation</c>: "nearest", "bilinear", "bicubic", "box"/"area").
/// Downscaling with the smooth filters widens their support (antialiasing), as PIL does.
/// </summary>
/// <example><code>ImageIO.Load(path, ColorMode.Rgb, (150, 150), Interpolation.Bilinear);</code></example>
public enum Interpolation
{
    /// <summary>Source pixel floor((x + 0.5) * in / out): Keras' default for <c>flow_from_directory</c>.</summary>
    Nearest,
    /// <summary>Triangle filter.</summary>
    Bilinear,
    /// <summary>Cubic convolution with a = -0.5.</summary>
    Bicubic,
    /// <summary>Box filter: the mean of the source pixels each output pixel covers.</summary>
    Area,
}
