using SkiaSharp;

namespace DeepSharp.Vision;

public static partial class ImageIO
{
    /// <summary>Pillow's decompression-bomb limit (<c>2 * PIL.Image.MAX_IMAGE_PIXELS</c>): 178,956,970 pixels.</summary>
    public const long DefaultMaxImagePixels = 178_956_970;

    /// <summary>
    /// The largest image (width × height, from the file's header) that is decoded; larger ones raise an
    /// <see cref="ImageDecodeException"/> before any pixel memory is allocated. Default <see cref="DefaultMaxImagePixels"/>,
    /// as Pillow's <c>MAX_IMAGE_PIXELS</c> error. Raise it for genuine huge images (CLI: <c>--max-image-pixels</c>); an image
    /// also needs width × height × 4 bytes to be at most 2,147,483,591.
    /// </summary>
    /// <example><code>ImageIO.MaxImagePixels = 400_000_000;   // allow a 20000×20000 scan</code></example>
    public static long MaxImagePixels
    {
        get => Interlocked.Read(ref _maxImagePixels);
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"MaxImagePixels must be at least 1, got {value}.");
            Interlocked.Exchange(ref _maxImagePixels, value);
        }
    }

    private static long _maxImagePixels = DefaultMaxImagePixels;

    private const string SkipHint = "Replace or delete the file (or skip bad files: skipBadFiles: true in FlowFromDirectory, --skip-bad-files in deepsharp train).";

    /// <summary>
    /// Checks a path before the decoder opens it: it must exist and be a non-empty regular file, links followed. A FIFO,
    /// socket or device (or a link to one) is refused here instead of blocking the decoder forever.
    /// </summary>
    internal static void CheckOpenable(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            if (path.Contains('\uFFFD'))
                throw new ImageDecodeException(path, $"Cannot open image '{path}': its file name is not valid UTF-8, so it cannot be opened by name. Rename the file. {SkipHint}");
            throw new FileNotFoundException($"Image file '{path}' does not exist. Check the path.", path);
        }
        if (DeepSharp.Limits.RegularFile.NotRegular(path) is { } what)
            throw new ImageDecodeException(path, $"Cannot decode image '{path}': it is {what}, not a regular file, so it is never opened (reading it could block forever). {SkipHint}");
        if (info.Length == 0)
            throw new ImageDecodeException(path, $"Cannot decode image '{path}': it is empty or not a regular file (a pipe, socket or device is never opened). {SkipHint}");
        // A file without read permission: SkiaSharp's decoder would only say "InternalError".
        try { File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite).Dispose(); }
        catch (FileNotFoundException)
        {
            throw new ImageDecodeException(path, $"Cannot read image '{path}': it is a link to '{info.LinkTarget}', which does not exist. Fix or remove the link. {SkipHint}");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ImageDecodeException(path, $"Cannot read image '{path}': {e.Message} Give read permission (chmod +r) or remove the file. {SkipHint}");
        }
    }

    /// <summary>Checks the size declared in the image header against <see cref="MaxImagePixels"/>, before any pixels are allocated.</summary>
    internal static void CheckDimensions(string path, SKCodec codec)
    {
        long w = codec.Info.Width, h = codec.Info.Height;
        if (w <= 0 || h <= 0)
            throw new ImageDecodeException(path, $"Cannot decode image '{path}': its header declares {w}×{h} pixels. {SkipHint}");
        long pixels = w * h, limit = MaxImagePixels;
        if (pixels > limit)
            throw new ImageDecodeException(path, $"Image '{path}' declares {w}×{h} = {pixels:N0} pixels, more than the limit of {limit:N0} " +
                "(ImageIO.MaxImagePixels; --max-image-pixels in deepsharp train), so it was not decoded: it may be a decompression bomb. " +
                $"Raise the limit if the image is genuine. {SkipHint}");
        if (pixels * 4 > Array.MaxLength)
            throw new ImageDecodeException(path, $"Image '{path}' declares {w}×{h} pixels; its {pixels * 4:N0} bytes of RGBA do not fit one array (at most {Array.MaxLength:N0}). {SkipHint}");
    }
}
