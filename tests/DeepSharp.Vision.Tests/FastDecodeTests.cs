namespace DeepSharp.Vision.Tests;

/// <summary>fastDecode: JPEGs decoded at a reduced DCT scale before the exact resize (opt-in, not Keras' pixels).</summary>
public class FastDecodeTests
{
    private static string Photo => KerasFixtures.File("src_photo.jpg");   // 500x375, the chapter's photo size

    private static double MeanAbsDiff(Tensor a, Tensor b)
    {
        double s = 0;
        for (int i = 0; i < a.Size; i++) s += Math.Abs(a.Data[i] - b.Data[i]);
        return s / a.Size;
    }

    [Theory]
    [InlineData(Interpolation.Nearest)]
    [InlineData(Interpolation.Bilinear)]
    public void Reduced_scale_decode_is_close_to_the_exact_pipeline_but_not_equal(Interpolation filter)
    {
        var exact = ImageIO.Load(Photo, ColorMode.Rgb, (150, 150), filter);
        var fast = ImageIO.Load(Photo, ColorMode.Rgb, (150, 150), filter, fastDecode: true);
        Assert.Equal(exact.Shape.ToArray(), fast.Shape.ToArray());
        double d = MeanAbsDiff(exact, fast);
        Assert.True(d > 0, "fastDecode gave Keras' exact pixels: it did not decode at a reduced scale");
        Assert.True(d < (filter == Interpolation.Nearest ? 12 : 4), $"mean |diff| {d:F2} between fast and exact decoding is too large");
        var batch = new Tensor(150, 150, 3);
        ImageIO.LoadInto(Photo, ColorMode.Rgb, (150, 150), filter, batch.Span, fastDecode: true);
        Assert.Equal(fast.Span.ToArray(), batch.Span.ToArray());   // one rule for load_img and the batch path
    }

    [Fact]
    public void Decoded_size_still_covers_the_target_and_other_formats_are_untouched()
    {
        byte[] px = ImageIO.DecodeRgba(Photo, out int h, out int w, (150, 150));
        Assert.Equal((188, 250), (h, w));   // 3/8 of 500x375 (rounded up): the smallest libjpeg scale >= 150x150
        Assert.Equal(h * w * 4, px.Length);
        ImageIO.DecodeRgba(Photo, out h, out w, (300, 300));
        Assert.True(h >= 300 && w >= 300);
        string png = KerasFixtures.File("src_noise.png");
        Assert.Equal(ImageIO.Load(png, ColorMode.Rgb, (20, 30)).Span.ToArray(),
                     ImageIO.Load(png, ColorMode.Rgb, (20, 30), fastDecode: true).Span.ToArray());
    }
}
