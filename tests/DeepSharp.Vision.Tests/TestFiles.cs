using SkiaSharp;

namespace DeepSharp.Vision.Tests;

/// <summary>A temporary folder deleted at the end of a test, and helpers that write real image files into it.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "deepsharp-vision-" + Guid.NewGuid().ToString("N")[..10]);
    public TempDir() => Directory.CreateDirectory(Path);
    public string this[string relative] => System.IO.Path.Combine(Path, relative);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}

internal static class TestFiles
{
    /// <summary>Encodes RGBA bytes (h, w, 4) with SkiaSharp.</summary>
    public static unsafe byte[] Encode(byte[] rgba, int h, int w, SKEncodedImageFormat format, int quality = 100)
    {
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bmp = new SKBitmap(info);
        fixed (byte* p = rgba) Buffer.MemoryCopy(p, (void*)bmp.GetPixels(), rgba.Length, rgba.Length);
        using var data = bmp.Encode(format, quality);
        return data.ToArray();
    }

    public static string Write(string path, byte[] rgba, int h, int w, SKEncodedImageFormat format, int quality = 100)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Encode(rgba, h, w, format, quality));
        return path;
    }

    /// <summary>An opaque image filled with one color.</summary>
    public static byte[] Solid(int h, int w, byte r, byte g, byte b, byte a = 255)
    {
        var px = new byte[h * w * 4];
        for (int i = 0; i < h * w; i++) { px[4 * i] = r; px[4 * i + 1] = g; px[4 * i + 2] = b; px[4 * i + 3] = a; }
        return px;
    }

    /// <summary>Inserts an EXIF APP1 segment with one Orientation tag right after the JPEG's SOI marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        Assert.True(jpeg[0] == 0xFF && jpeg[1] == 0xD8, "not a JPEG");
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,   // big-endian TIFF header, IFD at offset 8
            0x00, 0x01,                                                  // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,              // tag 0x0112 Orientation, SHORT, count 1
            (byte)(orientation >> 8), (byte)orientation, 0x00, 0x00,     // value
            0x00, 0x00, 0x00, 0x00,                                      // no next IFD
        ];
        byte[] header = [(byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0];
        int length = 2 + header.Length + tiff.Length;
        var app1 = new List<byte> { 0xFF, 0xE1, (byte)(length >> 8), (byte)length };
        app1.AddRange(header);
        app1.AddRange(tiff);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    /// <summary>A 24-bit uncompressed BMP written by hand (Skia has no BMP encoder).</summary>
    public static byte[] Bmp(byte[] rgba, int h, int w)
    {
        int rowSize = (w * 3 + 3) & ~3;
        int size = 54 + rowSize * h;
        var b = new byte[size];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BitConverter.GetBytes(size).CopyTo(b, 2);
        BitConverter.GetBytes(54).CopyTo(b, 10);
        BitConverter.GetBytes(40).CopyTo(b, 14);
        BitConverter.GetBytes(w).CopyTo(b, 18);
        BitConverter.GetBytes(h).CopyTo(b, 22);
        BitConverter.GetBytes((short)1).CopyTo(b, 26);
        BitConverter.GetBytes((short)24).CopyTo(b, 28);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int src = ((h - 1 - y) * w + x) * 4, dst = 54 + y * rowSize + x * 3;   // bottom-up rows, BGR
                b[dst] = rgba[src + 2]; b[dst + 1] = rgba[src + 1]; b[dst + 2] = rgba[src];
            }
        return b;
    }

    /// <summary>A (h, w, c) tensor of zeros with value v at (r, col) in every channel.</summary>
    public static Tensor Marked(int h, int w, int c, int r, int col, float v = 100f)
    {
        var t = new Tensor(h, w, c);
        for (int k = 0; k < c; k++) t[r, col, k] = v;
        return t;
    }

    public static (int R, int C) ArgMax2D(Tensor img)
    {
        int best = 0;
        var s = img.Span;
        int c = img.Dim(2);
        for (int i = 0; i < s.Length; i += c) if (s[i] > s[best]) best = i;
        int pix = best / c;
        return (pix / img.Dim(1), pix % img.Dim(1));
    }
}
