namespace DeepSharp.Vision;

/// <summary>
/// The filter used to resize a decoded image to the target size, with Pillow's definitions and arithmetic
/// (Keras' <c>interpolation</c>: "nearest", "bilinear", "bicubic", "box", "hamming", "lanczos"); the results are
/// the same bytes as Keras' <c>load_img</c>. Downscaling with the smooth filters widens their support
/// (antialiasing), as Pillow does.
/// </summary>
/// <example><code>ImageIO.Load(path, ColorMode.Rgb, (150, 150), Interpolation.Bilinear);</code></example>
public enum Interpolation
{
    /// <summary>Pillow's NEAREST: the source position starts at scale/2 and advances by scale = in/out per output
    /// pixel (in double precision); the source index is its integer part. Keras' default for <c>flow_from_directory</c>.</summary>
    Nearest,
    /// <summary>Triangle filter (Pillow's BILINEAR).</summary>
    Bilinear,
    /// <summary>Cubic convolution with a = -0.5 (Pillow's BICUBIC).</summary>
    Bicubic,
    /// <summary>Box filter: the mean of the source pixels each output pixel covers (Pillow's BOX, Keras' "box").</summary>
    Area,
    /// <summary>Hamming-windowed sinc with support 1 (Pillow's HAMMING).</summary>
    Hamming,
    /// <summary>Lanczos-windowed sinc with support 3 (Pillow's LANCZOS).</summary>
    Lanczos,
}
