using SkiaSharp;

namespace DeepSharp.Vision.Tests;

public class ImageIOTests
{
    [Fact]
    public void Jpeg_decodes_to_hwc_floats_with_the_colors_written()
    {
        using var dir = new TempDir();
        var px = TestFiles.Solid(16, 24, 200, 40, 90);
        string path = TestFiles.Write(dir["a.jpg"], px, 16, 24, SKEncodedImageFormat.Jpeg, 100);
        var x = ImageIO.Load(path);
        Assert.Equal([16, 24, 3], x.Shape.ToArray());
        Assert.InRange(x[8, 12, 0], 195, 205);
        Assert.InRange(x[8, 12, 1], 35, 45);
        Assert.InRange(x[8, 12, 2], 85, 95);
    }

    [Fact]
    public void Png_with_alpha_keeps_alpha_for_rgba_and_drops_it_for_rgb()
    {
        using var dir = new TempDir();
        var px = TestFiles.Solid(4, 5, 10, 20, 30, 128);
        px[0] = 250; px[3] = 0;   // pixel (0,0): red 250, fully transparent
        string path = TestFiles.Write(dir["a.png"], px, 4, 5, SKEncodedImageFormat.Png);
        var rgba = ImageIO.Load(path, ColorMode.Rgba);
        Assert.Equal([4, 5, 4], rgba.Shape.ToArray());
        Assert.Equal(128f, rgba[1, 1, 3]);
        Assert.Equal(0f, rgba[0, 0, 3]);
        var rgb = ImageIO.Load(path, ColorMode.Rgb);
        Assert.Equal([4, 5, 3], rgb.Shape.ToArray());
        Assert.Equal([10f, 20f, 30f], new[] { rgb[1, 1, 0], rgb[1, 1, 1], rgb[1, 1, 2] });
        Assert.Equal(250f, rgb[0, 0, 0]);   // color kept as stored, not blended with a background (PIL convert("RGB"))
    }

    [Fact]
    public void Grayscale_uses_pil_luma()
    {
        using var dir = new TempDir();
        var px = TestFiles.Solid(3, 3, 200, 100, 50);
        string path = TestFiles.Write(dir["g.png"], px, 3, 3, SKEncodedImageFormat.Png);
        var g = ImageIO.Load(path, ColorMode.Grayscale);
        Assert.Equal([3, 3, 1], g.Shape.ToArray());
        Assert.Equal((200 * 19595 + 100 * 38470 + 50 * 7471 + 32768) >> 16, (int)g[1, 1, 0]);
    }

    [Fact]
    public void Gray_png_gives_three_equal_channels_in_rgb()
    {
        using var dir = new TempDir();
        var px = TestFiles.Solid(3, 3, 77, 77, 77);
        var x = ImageIO.Load(TestFiles.Write(dir["g.png"], px, 3, 3, SKEncodedImageFormat.Png));
        Assert.Equal(77f, x[2, 2, 0]); Assert.Equal(77f, x[2, 2, 1]); Assert.Equal(77f, x[2, 2, 2]);
    }

    [Fact]
    public void Exif_orientation_6_rotates_the_photo_clockwise()
    {
        using var dir = new TempDir();
        int h = 16, w = 32;
        var px = TestFiles.Solid(h, w, 255, 255, 255);
        for (int y = 0; y < 8; y++) for (int x = 0; x < 8; x++) { int i = (y * w + x) * 4; px[i + 1] = 0; px[i + 2] = 0; }  // red block top-left
        byte[] jpeg = TestFiles.WithExifOrientation(TestFiles.Encode(px, h, w, SKEncodedImageFormat.Jpeg), 6);
        string path = dir["rotated.jpg"];
        File.WriteAllBytes(path, jpeg);
        var img = ImageIO.Load(path);
        Assert.Equal([32, 16, 3], img.Shape.ToArray());      // width and height swapped
        Assert.True(img[3, 12, 1] < 60, "the red block must be top-right after a clockwise turn");
        Assert.True(img[3, 3, 1] > 200, "top-left must be white");
    }

    [Fact]
    public void Truncated_jpeg_raises_an_error_naming_the_file()
    {
        using var dir = new TempDir();
        var px = new byte[64 * 64 * 4];
        new Random(1).NextBytes(px);
        byte[] full = TestFiles.Encode(px, 64, 64, SKEncodedImageFormat.Jpeg, 95);
        string path = dir["cut.jpg"];
        File.WriteAllBytes(path, full[..(full.Length / 2)]);
        var e = Assert.Throws<ImageDecodeException>(() => ImageIO.Load(path));
        Assert.Contains("cut.jpg", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void Not_an_image_raises_an_error_naming_the_file()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["fake.png"], "hello");
        var e = Assert.Throws<ImageDecodeException>(() => ImageIO.Load(dir["fake.png"]));
        Assert.Contains("fake.png", e.Message);
    }

    [Fact]
    public void Bmp_and_webp_decode()
    {
        using var dir = new TempDir();
        var px = TestFiles.Solid(5, 7, 30, 60, 90);
        px[0] = 255;
        File.WriteAllBytes(dir["a.bmp"], TestFiles.Bmp(px, 5, 7));
        var bmp = ImageIO.Load(dir["a.bmp"]);
        Assert.Equal([5, 7, 3], bmp.Shape.ToArray());
        Assert.Equal(255f, bmp[0, 0, 0]);
        Assert.Equal(90f, bmp[4, 6, 2]);
        var webp = ImageIO.Load(TestFiles.Write(dir["a.webp"], TestFiles.Solid(8, 8, 30, 60, 90), 8, 8, SKEncodedImageFormat.Webp, 100));
        Assert.InRange(webp[4, 4, 1], 55, 65);
    }

    [Fact]
    public void Nearest_resize_picks_source_pixel_floor_of_x_plus_half_times_scale()
    {
        using var dir = new TempDir();
        int w = 9;
        var px = new byte[1 * w * 4];
        for (int x = 0; x < w; x++) { px[4 * x] = (byte)(x * 10); px[4 * x + 3] = 255; }
        string path = TestFiles.Write(dir["row.png"], px, 1, w, SKEncodedImageFormat.Png);
        var r = ImageIO.Load(path, ColorMode.Rgb, (1, 3));
        // PIL: out x samples floor((x + 0.5) * 3) = 1, 4, 7
        Assert.Equal([10f, 40f, 70f], new[] { r[0, 0, 0], r[0, 1, 0], r[0, 2, 0] });
        var area = ImageIO.Load(path, ColorMode.Rgb, (1, 3), Interpolation.Area);
        Assert.Equal([10f, 40f, 70f], new[] { area[0, 0, 0], area[0, 1, 0], area[0, 2, 0] });   // means of 0,10,20 / 30,40,50 / 60,70,80
        var bil = ImageIO.Load(path, ColorMode.Rgb, (2, 18), Interpolation.Bilinear);
        Assert.Equal([2, 18, 3], bil.Shape.ToArray());
        Assert.Throws<ArgumentException>(() => ImageIO.Load(path, ColorMode.Rgb, (0, 3)));
    }

    [Fact]
    public void SavePng_round_trips_and_leaves_no_temporary_file()
    {
        using var dir = new TempDir();
        var t = new Tensor(3, 4, 3);
        for (int i = 0; i < t.Size; i++) t.Data[i] = i * 7 % 256;
        ImageIO.SavePng(t, dir["out.png"]);
        var back = ImageIO.Load(dir["out.png"]);
        Assert.Equal(t.Span.ToArray(), back.Span.ToArray());
        var batch = new Tensor(2, 3, 4, 1);
        batch[1, 2, 3, 0] = 1f;
        ImageIO.SavePng(batch, 1, dir["item.png"], scale: 255f);
        Assert.Equal(255f, ImageIO.Load(dir["item.png"], ColorMode.Grayscale)[2, 3, 0]);
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length);
    }

    [Theory]
    [InlineData(ColorMode.Rgb)]
    [InlineData(ColorMode.Grayscale)]
    [InlineData(ColorMode.Rgba)]
    public void Pipeline_loader_matches_load_for_nearest_resizes(ColorMode mode)
    {
        using var dir = new TempDir();
        var px = new byte[13 * 17 * 4];
        new Random(4).NextBytes(px);
        string path = TestFiles.Write(dir["r.png"], px, 13, 17, SKEncodedImageFormat.Png);
        foreach (var size in new[] { (13, 17), (5, 9), (30, 20) })
        {
            var expected = ImageIO.Load(path, mode, size);
            var got = new float[expected.Size];
            ImageIO.LoadInto(path, mode, size, Interpolation.Nearest, got);
            Assert.Equal(expected.Span.ToArray(), got);
        }
    }

    [Fact]
    public void Gif_first_frame_decodes()
    {
        using var dir = new TempDir();
        // The smallest GIF: 1x1, a two-colour palette (red, black), pixel index 0.
        byte[] gif =
        [
            .. "GIF89a"u8, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
        ];
        File.WriteAllBytes(dir["red.gif"], gif);
        var x = ImageIO.Load(dir["red.gif"]);
        Assert.Equal([1, 1, 3], x.Shape.ToArray());
        Assert.Equal([255f, 0f, 0f], x.Span.ToArray());
    }
}
