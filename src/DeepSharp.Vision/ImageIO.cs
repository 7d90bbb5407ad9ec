using System.Buffers;
using SkiaSharp;

namespace DeepSharp.Vision;

/// <summary>
/// Reads image files into float tensors and writes tensors as PNG files (Keras' <c>load_img</c> + <c>img_to_array</c>,
/// and <c>save_img</c>). JPEG, PNG, BMP, GIF (first frame) and WebP are decoded by SkiaSharp; the EXIF orientation
/// of a photo is applied (Keras' load_img ignores it: a deliberate difference, see docs/KERAS-DIFFERENCES.md); a
/// truncated or corrupt file raises an <see cref="ImageDecodeException"/> that names it. Resizing is Pillow's, byte for byte.
/// </summary>
/// <example><code>
/// Tensor x = ImageIO.Load("cats/cat.1.jpg", ColorMode.Rgb, targetSize: (150, 150));   // (150, 150, 3), values 0..255
/// ImageIO.SavePng(x, "cat.png");
/// </code></example>
public static partial class ImageIO
{
    /// <summary>
    /// Decodes an image to a (height, width, channels) tensor of floats 0..255, optionally resized to
    /// <paramref name="targetSize"/> (height, width) with <paramref name="interpolation"/> (PIL's definitions).
    /// </summary>
    /// <param name="keepAspectRatio">Resize without distortion (Keras 2.9+'s <c>keep_aspect_ratio</c>): the largest
    /// centred region with the target's aspect ratio is cropped, then resized.</param>
    /// <param name="fastDecode">For a JPEG much larger than <paramref name="targetSize"/>, let libjpeg decode it at
    /// 1/2, 1/4 or 1/8 scale (DCT scaling; the smallest scale still at least the target size) before the resize. Much
    /// faster for photos, but the pixels are no longer Keras' (a few levels apart): off by default.</param>
    public static Tensor Load(string path, ColorMode colorMode = ColorMode.Rgb, (int Height, int Width)? targetSize = null,
        Interpolation interpolation = Interpolation.Nearest, bool keepAspectRatio = false, bool fastDecode = false)
    {
        byte[] bytes = LoadBytes(path, colorMode, targetSize, interpolation, out int h, out int w, keepAspectRatio, fastDecode);
        int c = Channels(colorMode);
        var t = new Tensor(h, w, c);
        ToFloats(bytes, t.Span);
        return t;
    }

    /// <summary>The number of channels a color mode gives: 3, 1 or 4.</summary>
    public static int Channels(ColorMode mode) => mode switch { ColorMode.Grayscale => 1, ColorMode.Rgba => 4, _ => 3 };

    internal static void ToFloats(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int i = 0; i < src.Length; i++) dst[i] = src[i];
    }

    /// <summary>Decodes, orients, converts and resizes a file to interleaved bytes (h, w, channels of the mode).</summary>
    internal static byte[] LoadBytes(string path, ColorMode colorMode, (int Height, int Width)? targetSize,
        Interpolation interpolation, out int h, out int w, bool keepAspectRatio = false, bool fastDecode = false)
    {
        if (targetSize is { } ts && (ts.Height <= 0 || ts.Width <= 0))
            throw new ArgumentException($"targetSize ({ts.Height}, {ts.Width}) has a zero or negative side. Give a (height, width) of at least (1, 1), e.g. (150, 150).", nameof(targetSize));
        byte[] rgba = DecodeRgba(path, out h, out w, fastDecode ? targetSize : null);
        int c = Channels(colorMode);
        byte[] converted = ConvertFromRgba(rgba, h * w, colorMode);
        if (targetSize is { } size && (size.Height != h || size.Width != w || keepAspectRatio))
        {
            var box = keepAspectRatio ? CropBox(h, w, size.Height, size.Width) : ((int, int, int, int)?)null;
            converted = Resampler.Resize(converted, h, w, c, size.Height, size.Width, interpolation, box);
            h = size.Height;
            w = size.Width;
        }
        return converted;
    }

    /// <summary>The smallest DCT-scaled size (k/8, k = 1..8) that still covers <paramref name="goal"/> in the encoded orientation.</summary>
    private static (int W, int H) ReducedSize(SKCodec codec, (int Height, int Width) goal)
    {
        bool swap = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int needW = swap ? goal.Height : goal.Width, needH = swap ? goal.Width : goal.Height;
        for (int k = 1; k < 8; k++)
        {
            var d = codec.GetScaledDimensions(k / 8f);
            if (d.Width >= needW && d.Height >= needH && d.Width < codec.Info.Width) return (d.Width, d.Height);
        }
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>Keras' keep_aspect_ratio crop (x0, y0, x1, y1): the largest centred region with the target's aspect ratio.</summary>
    internal static (int X0, int Y0, int X1, int Y1) CropBox(int h, int w, int targetH, int targetW)
    {
        int cropH = Math.Min(h, (int)((long)w * targetH / targetW));
        int cropW = Math.Min(w, (int)((long)h * targetW / targetH));
        int y0 = (h - cropH) / 2, x0 = (w - cropW) / 2;
        return (x0, y0, x0 + cropW, y0 + cropH);
    }

    /// <summary>Decodes a file into RGBA (unpremultiplied) bytes with its EXIF orientation applied.</summary>
    internal static byte[] DecodeRgba(string path, out int h, out int w, (int Height, int Width)? reduceTo = null)
    {
        byte[] pixels = DecodeRgbaPooled(path, out h, out w, out bool rented, reduceTo);
        if (!rented) return pixels;
        var copy = pixels.AsSpan(0, h * w * 4).ToArray();
        ArrayPool<byte>.Shared.Return(pixels);
        return copy;
    }

    /// <summary>
    /// Decodes a file into RGBA (unpremultiplied) bytes with its EXIF orientation applied. When <paramref name="rented"/>
    /// is true the array comes from <see cref="ArrayPool{T}.Shared"/> (it may be longer than h*w*4): return it when done.
    /// </summary>
    /// <param name="reduceTo">When set and the file is a JPEG, decode at the smallest libjpeg scale (k/8) whose
    /// (oriented) size still covers this (height, width): the fastDecode option.</param>
    internal static unsafe byte[] DecodeRgbaPooled(string path, out int h, out int w, out bool rented, (int Height, int Width)? reduceTo = null)
    {
        CheckOpenable(path);
        using var codec = SKCodec.Create(path, out SKCodecResult created);
        if (codec is null)
            throw new ImageDecodeException(path, $"Cannot decode image '{path}': {Describe(created)} " +
                "Supported formats are JPEG, PNG, BMP, GIF and WebP. Replace or delete the file (or skip bad files: skipBadFiles: true in FlowFromDirectory, --skip-bad-files in deepsharp train).");
        CheckDimensions(path, codec);   // from the header, before any pixel memory
        var (decodeW, decodeH) = (codec.Info.Width, codec.Info.Height);
        if (reduceTo is { } goal && codec.EncodedFormat == SKEncodedImageFormat.Jpeg)
            (decodeW, decodeH) = ReducedSize(codec, goal);
        var info = new SKImageInfo(decodeW, decodeH, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pixels = ArrayPool<byte>.Shared.Rent(info.BytesSize);
        SKCodecResult result;
        fixed (byte* p = pixels) result = codec.GetPixels(info, (IntPtr)p);
        if (result != SKCodecResult.Success)
        {
            ArrayPool<byte>.Shared.Return(pixels);
            throw new ImageDecodeException(path, $"Cannot decode image '{path}' ({info.Width}x{info.Height} {codec.EncodedFormat}): {Describe(result)} " +
                "Replace or delete the file (or skip bad files: skipBadFiles: true in FlowFromDirectory, --skip-bad-files in deepsharp train).");
        }
        w = info.Width;
        h = info.Height;
        rented = true;
        if (codec.EncodedOrigin == SKEncodedOrigin.TopLeft) return pixels;
        var oriented = Orient(pixels, ref h, ref w, 4, codec.EncodedOrigin);
        ArrayPool<byte>.Shared.Return(pixels);
        rented = false;
        return oriented;
    }

    /// <summary>
    /// The batch pipeline's loader: like <see cref="Load"/> but writes floats straight into <paramref name="destination"/>
    /// (targetSize h * w * channels), with pooled buffers so that no large arrays are allocated per image
    /// when no resize or a nearest resize is needed.
    /// </summary>
    internal static void LoadInto(string path, ColorMode colorMode, (int Height, int Width) targetSize,
        Interpolation interpolation, Span<float> destination, bool keepAspectRatio = false, bool fastDecode = false)
    {
        if (interpolation != Interpolation.Nearest)
        {
            ToFloats(LoadBytes(path, colorMode, targetSize, interpolation, out _, out _, keepAspectRatio, fastDecode), destination);
            return;
        }
        byte[] rgba = DecodeRgbaPooled(path, out int h, out int w, out bool rented, fastDecode ? targetSize : null);
        try
        {
            int outH = targetSize.Height, outW = targetSize.Width, c = Channels(colorMode);
            var (x0, y0, x1, y1) = keepAspectRatio ? CropBox(h, w, outH, outW) : (0, 0, w, h);
            int[] xs = Resampler.NearestIndices(w, outW, x0, x1), ys = Resampler.NearestIndices(h, outH, y0, y1);   // Pillow's NEAREST
            for (int y = 0; y < outH; y++)
            {
                int srcRow = ys[y] * w;
                for (int x = 0; x < outW; x++)
                {
                    int s = (srcRow + xs[x]) * 4, d = (y * outW + x) * c;
                    switch (colorMode)
                    {
                        case ColorMode.Grayscale:
                            destination[d] = (rgba[s] * 19595 + rgba[s + 1] * 38470 + rgba[s + 2] * 7471 + 0x8000) >> 16;
                            break;
                        case ColorMode.Rgba:
                            destination[d + 3] = rgba[s + 3];
                            goto default;
                        default:
                            destination[d] = rgba[s];
                            destination[d + 1] = rgba[s + 1];
                            destination[d + 2] = rgba[s + 2];
                            break;
                    }
                }
            }
        }
        finally
        {
            if (rented) ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    private static string Describe(SKCodecResult r) => r switch
    {
        SKCodecResult.IncompleteInput => "the file is truncated (the image data ends early).",
        SKCodecResult.ErrorInInput => "the image data is corrupt.",
        SKCodecResult.Unimplemented => "the file is not an image in a format SkiaSharp can read (or it is empty).",
        SKCodecResult.InvalidInput => "the file is not a valid image.",
        _ => $"the decoder reported {r}.",
    };

    /// <summary>Applies an EXIF orientation so the image is upright (orientations 1-8).</summary>
    internal static byte[] Orient(byte[] src, ref int h, ref int w, int c, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft) return src;
        int inW = w, inH = h;
        bool swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        int outW = swap ? inH : inW, outH = swap ? inW : inH;
        var dst = new byte[src.Length];
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                (int sx, int sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (inW - 1 - x, y),              // 2: mirrored horizontally
                    SKEncodedOrigin.BottomRight => (inW - 1 - x, inH - 1 - y), // 3: rotated 180
                    SKEncodedOrigin.BottomLeft => (x, inH - 1 - y),            // 4: mirrored vertically
                    SKEncodedOrigin.LeftTop => (y, x),                         // 5: transposed
                    SKEncodedOrigin.RightTop => (y, inH - 1 - x),              // 6: needs 90 degrees clockwise
                    SKEncodedOrigin.RightBottom => (inW - 1 - y, inH - 1 - x), // 7: transversed
                    _ => (inW - 1 - y, x),                                     // 8: needs 90 degrees counter-clockwise
                };
                Buffer.BlockCopy(src, (sy * inW + sx) * c, dst, (y * outW + x) * c, c);
            }
        w = outW;
        h = outH;
        return dst;
    }

    /// <summary>RGBA bytes to the mode's channels, as PIL's convert: RGB drops alpha, L is the ITU-R 601 luma.</summary>
    internal static byte[] ConvertFromRgba(byte[] rgba, int pixels, ColorMode mode)
    {
        switch (mode)
        {
            case ColorMode.Rgba:
                return rgba;
            case ColorMode.Grayscale:
            {
                var g = new byte[pixels];
                for (int i = 0; i < pixels; i++)
                    g[i] = (byte)((rgba[4 * i] * 19595 + rgba[4 * i + 1] * 38470 + rgba[4 * i + 2] * 7471 + 0x8000) >> 16);
                return g;
            }
            default:
            {
                var rgb = new byte[pixels * 3];
                for (int i = 0; i < pixels; i++)
                {
                    rgb[3 * i] = rgba[4 * i];
                    rgb[3 * i + 1] = rgba[4 * i + 1];
                    rgb[3 * i + 2] = rgba[4 * i + 2];
                }
                return rgb;
            }
        }
    }

    /// <summary>
    /// Writes a (height, width, channels) tensor (1, 3 or 4 channels) as a PNG. Values are multiplied by
    /// <paramref name="scale"/> (use 255 for images rescaled to 0..1), rounded and clipped to 0..255.
    /// The file is written under a temporary name and then renamed, so a crash never leaves half a file.
    /// </summary>
    public static void SavePng(Tensor image, string path, double scale = 1)
    {
        if (image.Rank != 3 || image.Dim(2) is not (1 or 3 or 4))
            throw new ArgumentException($"SavePng expects a (height, width, channels) tensor with 1, 3 or 4 channels but got shape {Tensor.FormatShape(image.Shape)}. For a batch use SavePng(batch, index, path).", nameof(image));
        WriteEncoded(image.Span, image.Dim(0), image.Dim(1), image.Dim(2), path, SKEncodedImageFormat.Png, 100, (float)scale);
    }

    /// <summary>Writes item <paramref name="index"/> of an NHWC batch as a PNG (see <see cref="SavePng(Tensor, string, double)"/>).</summary>
    public static void SavePng(Tensor batch, int index, string path, double scale = 1)
    {
        if (batch.Rank != 4 || batch.Dim(3) is not (1 or 3 or 4))
            throw new ArgumentException($"SavePng expects an NHWC batch with 1, 3 or 4 channels but got shape {Tensor.FormatShape(batch.Shape)}.", nameof(batch));
        if ((uint)index >= (uint)batch.Dim(0))
            throw new ArgumentOutOfRangeException(nameof(index), $"Index {index} is outside the batch of {batch.Dim(0)} images.");
        int h = batch.Dim(1), w = batch.Dim(2), c = batch.Dim(3);
        WriteEncoded(batch.Span.Slice(index * h * w * c, h * w * c), h, w, c, path, SKEncodedImageFormat.Png, 100, (float)scale);
    }

    internal static unsafe void WriteEncoded(ReadOnlySpan<float> hwc, int h, int w, int c, string path,
        SKEncodedImageFormat format, int quality, float scale = 1f, bool overwrite = true)
    {
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, c == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var dst = new Span<byte>((void*)bitmap.GetPixels(), w * h * 4);
        for (int i = 0; i < w * h; i++)
        {
            for (int k = 0; k < 3; k++) dst[4 * i + k] = Quantize(hwc[i * c + (c == 1 ? 0 : k)] * scale);
            dst[4 * i + 3] = c == 4 ? Quantize(hwc[i * c + 3] * scale) : (byte)255;
        }
        using var data = bitmap.Encode(format, quality)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode {format} for '{path}'.");
        WriteAtomically(path, data.AsSpan(), overwrite);
    }

    /// <summary>Keras' array_to_img(scale=True), in place: shift up by -min when the minimum is negative, divide by
    /// the maximum (unless 0), times 255, truncated to whole numbers (as the uint8 cast).</summary>
    internal static void ScaleToBytes(Span<float> x)
    {
        float shift = Math.Max(-System.Numerics.Tensors.TensorPrimitives.Min(x), 0f);
        float max = System.Numerics.Tensors.TensorPrimitives.Max(x) + shift;
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i] + shift;
            if (max != 0) v /= max;
            v *= 255f;
            x[i] = v <= 0 ? 0 : v >= 255 ? 255 : (int)v;
        }
    }

    private static byte Quantize(float v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(int)(v + 0.5f);

    /// <summary>Writes bytes to a temporary file next to <paramref name="path"/>, then renames it over the target.</summary>
    /// <remarks>With <paramref name="overwrite"/> false an existing file is left alone and an <see cref="IOException"/> names it.</remarks>
    internal static void WriteAtomically(string path, ReadOnlySpan<byte> bytes, bool overwrite = true)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        string tmp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
                fs.Write(bytes);
            if (!overwrite && (File.Exists(full) || Directory.Exists(full)))
                throw new IOException($"'{path}' already exists; it was left unchanged (existing files are never overwritten here).");
            File.Move(tmp, full, overwrite);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
