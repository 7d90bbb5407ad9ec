using DeepSharp.Backends;

namespace DeepSharp.Tests.Backends;

/// <summary>The preprocessing layers' image primitives: resampling (crops, pads, resize kernels) and the affine transform.</summary>
public partial class ParityTests
{
    [Theory]
    [InlineData(1, 7, 9, 3, 4, 5, "bilinear", false)]
    [InlineData(7, 5, 6, 2, 11, 13, "bicubic", false)]
    [InlineData(2, 9, 8, 1, 3, 4, "lanczos5", true)]
    [InlineData(3, 6, 6, 4, 6, 2, "nearest", false)]
    public void ResampleForwardAndBackward(int batch, int h, int w, int c, int outH, int outW, string interpolation, bool antialias)
    {
        var x = Random(31, batch, h, w, c);
        var dy = Random(32, batch, outH, outW, c);
        // A pad above and below (window starts at -2), a crop left and right.
        var rows = ResampleAxis.Resize(h, -2, h + 4, outH, interpolation, antialias);
        var cols = ResampleAxis.Resize(w, 1, w - 2, outW, interpolation, antialias);
        UnderEveryPath(path =>
        {
            Same(path, "resample", b => { var y = new Tensor(batch, outH, outW, c); b.Resample(x, y, rows, cols, 0.75f); return y; });
            Same(path, "resample backward", b => { var dx = Tensor.Full(9f, batch, h, w, c); b.ResampleBackward(dy, dx, rows, cols); return dx; });
        });
    }

    [Theory]
    [InlineData("Constant", false)]
    [InlineData("Nearest", true)]
    [InlineData("Reflect", false)]
    [InlineData("Wrap", false)]
    [InlineData("Mirror", true)]
    public void AffineTransform(string fillName, bool nearest)
    {
        var fill = Enum.Parse<ImageFill>(fillName);
        var x = Random(33, 3, 6, 7, 3);
        // Rotation, zoom out by 2.5 (reads far outside the image) and a shift, one per image.
        float[] m = [0.8f, -0.6f, 2.1f, 0.6f, 0.8f, -1.3f, 2.5f, 0f, -7.5f, 0f, 2.5f, -6.25f, 1f, 0f, -2.5f, 0f, 1f, 3.25f];
        UnderEveryPath(path =>
            Same(path, $"affine {fill} nearest={nearest}", b => { var y = new Tensor(3, 6, 7, 3); b.AffineTransform(x, y, m, nearest, fill, -0.5f); return y; }));
    }
}
