namespace DeepSharp.Vision;

/// <summary>
/// Keras' <c>zoom_range</c>: a float z means [1 - z, 1 + z]; a pair (lo, hi) is used as is.
/// Zoom factors zx and zy are drawn independently from it. Factors above 1 make the content smaller
/// (the output samples a larger area of the input), as in Keras.
/// </summary>
/// <example><code>
/// new ImageDataGenerator(zoomRange: 0.2);          // [0.8, 1.2]
/// new ImageDataGenerator(zoomRange: (0.5f, 1f));    // [0.5, 1.0]
/// </code></example>
public readonly record struct ZoomRange(float Low, float High)
{
    /// <summary>[1 - z, 1 + z].</summary>
    public static implicit operator ZoomRange(double z) => new((float)(1 - z), (float)(1 + z));

    /// <summary>[lo, hi].</summary>
    public static implicit operator ZoomRange((float Low, float High) range) => new(range.Low, range.High);

    /// <summary>A pair (low, high) of zoom factors, as Keras code writes it: <c>zoomRange: (0.8, 1.2)</c>.</summary>
    public static implicit operator ZoomRange((double Low, double High) range) => new((float)range.Low, (float)range.High);

    /// <summary>True when both ends are 1: no zoom is drawn.</summary>
    public bool IsIdentity => Low == 1f && High == 1f;
}
