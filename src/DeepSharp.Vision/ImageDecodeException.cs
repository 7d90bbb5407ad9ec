namespace DeepSharp.Vision;

/// <summary>An image file could not be decoded (corrupt, truncated, unsupported). <see cref="Path"/> names it.</summary>
/// <example><code>
/// try { ImageIO.Load("broken.jpg"); }
/// catch (ImageDecodeException e) { Console.WriteLine(e.Path); }
/// </code></example>
public sealed class ImageDecodeException : Exception
{
    /// <summary>The file that failed.</summary>
    public string Path { get; }

    public ImageDecodeException(string path, string message, Exception? inner = null) : base(message, inner) => Path = path;
}
