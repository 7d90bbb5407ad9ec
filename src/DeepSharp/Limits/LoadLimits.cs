namespace DeepSharp.Limits;

/// <summary>
/// The limits every file reader checks before it allocates memory for what a file declares, so that a small hostile or
/// damaged file cannot make DeepSharp allocate gigabytes. They are process-wide and can be raised for genuine large files
/// (see docs/SECURITY.md). Images have their own limit: <c>ImageIO.MaxImagePixels</c> in DeepSharp.Vision.
/// </summary>
/// <example><code>
/// LoadLimits.MaxZipEntryBytes = 8L &lt;&lt; 30;   // allow an 8 GB weights entry (needs that much memory)
/// var model = Model.Load("huge.keras");
/// </code></example>
public static class LoadLimits
{
    /// <summary>
    /// The largest uncompressed size of one entry of a <c>.keras</c> or <c>.npz</c> zip archive (declared and actual).
    /// Default 2,147,483,591 bytes (the largest .NET byte array; VGG16's weights are 553 MB).
    /// </summary>
    public static long MaxZipEntryBytes { get; set; } = Array.MaxLength;

    /// <summary>The largest <c>config.json</c> of a <c>.keras</c> file. Default 64 MiB (ResNet50's is about 100 KB).</summary>
    public static long MaxConfigBytes { get; set; } = 64L << 20;

    /// <summary>
    /// How many bytes a compressed zip entry may declare per compressed byte. Deflate cannot expand more than 1032:1, so
    /// a larger ratio is a lie told to make a reader allocate; default 1032. (Keras stores <c>.keras</c> entries
    /// uncompressed; NumPy's mnist.npz is about 5:1.)
    /// </summary>
    public static long MaxCompressionRatio { get; set; } = 1032;
}
