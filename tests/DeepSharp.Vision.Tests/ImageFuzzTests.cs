using DeepSharp.Tests.Fuzz;
using SkiaSharp;

namespace DeepSharp.Vision.Tests;

/// <summary>
/// Seeded mutation fuzzing of image decoding (issue 10). Property, for each mutant of small valid PNG and JPEG
/// files (written to a file, as users' images are): <see cref="ImageIO.Load"/> either decodes it or throws an
/// <see cref="ImageDecodeException"/>, and allocates at most 64 MB plus 16 bytes per declared pixel (the pixel buffer is
/// sized from the header, checked against <see cref="ImageIO.MaxImagePixels"/> first). Saved failures: tests/fixtures/fuzz/images-*/.
/// </summary>
[Collection("Fuzz")]
public class ImageFuzzTests
{
    private static byte[] Seed(SKEncodedImageFormat format, int w, int h)
    {
        var rgba = new byte[w * h * 4];
        new Random(w * 31 + h).NextBytes(rgba);
        for (int i = 3; i < rgba.Length; i += 4) rgba[i] = 255;
        return TestFiles.Encode(rgba, h, w, format, quality: 80);
    }

    /// <summary>
    /// 64 MB plus 16 bytes per pixel the header declares (the decode buffer, its copy, the orientation and the color
    /// conversion): what the reader allocates follows the declared size, which is itself limited by MaxImagePixels.
    /// </summary>
    private static long Bound(byte[] bytes)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        long pixels = codec is null ? 0 : (long)codec.Info.Width * codec.Info.Height;
        return (64L << 20) + 16 * Math.Min(pixels, ImageIO.MaxImagePixels);
    }

    [Theory]
    [InlineData("png", 60)]
    [InlineData("jpeg", 61)]
    public void Images_2000Mutants(string format, int seed)
    {
        byte[][] seeds = format == "png"
            ? [Seed(SKEncodedImageFormat.Png, 24, 16), Seed(SKEncodedImageFormat.Png, 7, 9), HostileImageTests.ZeroPng(40, 30)]
            : [Seed(SKEncodedImageFormat.Jpeg, 24, 16), Seed(SKEncodedImageFormat.Jpeg, 9, 33)];
        using var dir = new TempDir();
        string path = dir[$"fuzz.{format}"];
        FuzzHarness.Check($"images-{format}", FuzzHarness.Mutants(seeds, seed, 2000), Bound, null, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            ImageIO.Load(path, targetSize: (8, 8));
        }, typeof(ImageDecodeException));
    }
}

/// <summary>The image fuzz test runs alone, after the parallel tests (it keeps the cores busy).</summary>
[CollectionDefinition("Fuzz", DisableParallelization = true)]
public sealed class FuzzCollection;
