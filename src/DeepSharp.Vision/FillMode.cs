namespace DeepSharp.Vision;

/// <summary>
/// How points outside the image are filled by the random affine transform, with scipy.ndimage's definitions
/// (Keras' <c>fill_mode</c>). For an axis of length n and input coordinate c:
/// </summary>
/// <example><code>new ImageDataGenerator(rotationRange: 40, fillMode: FillMode.Constant, cval: 0);</code></example>
public enum FillMode
{
    /// <summary>c is clamped to [0, n-1]: the edge pixel repeats (aaaa|abcd|dddd).</summary>
    Nearest,
    /// <summary>Outside [0, n-1] the pixel is <c>cval</c> (kkkk|abcd|kkkk).</summary>
    Constant,
    /// <summary>Mirrored about the outer edge of the border pixels (dcba|abcd|dcba).</summary>
    Reflect,
    /// <summary>Periodic with period n-1, as scipy's "wrap": the first and last samples overlap.</summary>
    Wrap,
}
