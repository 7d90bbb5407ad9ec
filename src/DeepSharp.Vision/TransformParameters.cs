namespace DeepSharp.Vision;

/// <summary>
/// One draw of <see cref="ImageDataGenerator"/>'s random transform (Keras' <c>transform_parameters</c> dict).
/// Axes follow Keras: <see cref="Tx"/> moves along rows (height), <see cref="Ty"/> along columns (width).
/// </summary>
/// <example><code>
/// var moved = gen.ApplyTransform(image, new TransformParameters { Ty = -3 });   // content moves 3 pixels right
/// </code></example>
public sealed record TransformParameters
{
    /// <summary>Rotation in degrees (counter-clockwise content rotation for positive values).</summary>
    public double Theta { get; init; }
    /// <summary>Shift along the row (height) axis in pixels: output row r samples input row r + Tx.</summary>
    public double Tx { get; init; }
    /// <summary>Shift along the column (width) axis in pixels: output column c samples input column c + Ty.</summary>
    public double Ty { get; init; }
    /// <summary>Shear angle in degrees.</summary>
    public double Shear { get; init; }
    /// <summary>Zoom along rows: output row offset d from the centre samples input offset Zx * d.</summary>
    public double Zx { get; init; } = 1;
    /// <summary>Zoom along columns.</summary>
    public double Zy { get; init; } = 1;
    public bool FlipHorizontal { get; init; }
    public bool FlipVertical { get; init; }
    /// <summary>Added to every channel, then clipped to the image's min and max (null: none).</summary>
    public double? ChannelShiftIntensity { get; init; }
    /// <summary>PIL brightness factor (null: none).</summary>
    public double? Brightness { get; init; }
}
