using SkiaSharp;

namespace DeepSharp.Vision;

/// <summary>
/// An RGB picture assembled from cells (channel maps, filter patterns), with an optional title bar, written as PNG
/// through SkiaSharp (temporary name, then renamed).
/// </summary>
internal sealed class PictureGrid
{
    public const int TitleHeight = 24;

    private readonly byte[] _rgb;
    private readonly int _top;

    public PictureGrid(int width, int height, string? title, byte background = 0)
    {
        Width = width;
        Title = title;
        _top = title is null ? 0 : TitleHeight;
        Height = height + _top;
        _rgb = new byte[Width * Height * 3];
        _rgb.AsSpan().Fill(background);
        if (title is not null) _rgb.AsSpan(0, Width * _top * 3).Fill(255);
    }

    public int Width { get; }
    public int Height { get; }
    public string? Title { get; }

    /// <summary>Sets the pixel at (x, y) of the body (below the title).</summary>
    public void Set(int x, int y, (byte R, byte G, byte B) c)
    {
        int i = ((y + _top) * Width + x) * 3;
        _rgb[i] = c.R; _rgb[i + 1] = c.G; _rgb[i + 2] = c.B;
    }

    public unsafe void SavePng(string path)
    {
        var info = new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var dst = new Span<byte>((void*)bitmap.GetPixels(), Width * Height * 4);
        for (int i = 0; i < Width * Height; i++)
        {
            dst[4 * i] = _rgb[3 * i]; dst[4 * i + 1] = _rgb[3 * i + 1]; dst[4 * i + 2] = _rgb[3 * i + 2]; dst[4 * i + 3] = 255;
        }
        if (Title is not null)
        {
            using var canvas = new SKCanvas(bitmap);
            using var font = new SKFont(SKTypeface.Default, 15);
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(Title, 6, TitleHeight - 7, SKTextAlign.Left, font, paint);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a PNG for '{path}'.");
        ImageIO.WriteAtomically(path, data.AsSpan());
    }
}
