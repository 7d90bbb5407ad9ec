namespace DeepSharp.Vision;

/// <summary>An image file could not be decoded (corrupt, truncated, unsupported). <see cref="Path"/> names it. As an
/// <see cref="Data.IFileError"/> it surfaces unchanged through dataset stages (an <c>ImageDataset</c>'s decoding Map).</summary>
/// <example><code>
/// try { ImageIO.Load("broken.jpg"); }
/// catch (ImageDecodeException e) { Console.WriteLine(e.Path); }
/// </code></example>
public sealed class ImageDecodeException : Exception, Data.IFileError
{
    /// <summary>The file that failed.</summary>
    public string Path { get; }

    public ImageDecodeException(string path, string message, Exception? inner = null) : base(message, inner) => Path = path;
}
