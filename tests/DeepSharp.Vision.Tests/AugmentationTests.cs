namespace DeepSharp.Vision.Tests;

public class AugmentationTests
{
    private static readonly ImageDataGenerator Plain = new();

    [Theory]
    [InlineData(-3, 0, 4, 7)]   // Ty = -3: output column c samples input c - 3: content moves 3 right
    [InlineData(2, 0, 4, 2)]
    [InlineData(0, -2, 6, 4)]   // Tx moves along rows
    public void Shift_by_k_pixels_moves_a_marked_pixel_by_k(double ty, double tx, int expectedRow, int expectedCol)
    {
        var img = TestFiles.Marked(9, 11, 3, 4, 4);
        var p = new TransformParameters { Ty = ty, Tx = tx };
        var outImg = Plain.ApplyTransform(img, p);
        Assert.Equal((expectedRow, expectedCol), TestFiles.ArgMax2D(outImg));
        Assert.Equal(100f, outImg[expectedRow, expectedCol, 2], 4);
    }

    [Fact]
    public void Width_shift_range_is_a_fraction_of_the_width_below_1_and_pixels_from_1()
    {
        var frac = new ImageDataGenerator(widthShiftRange: 0.2f);
        var pix = new ImageDataGenerator(heightShiftRange: 3f);
        var rng = new Random(5);
        double maxTy = 0, maxTx = 0;
        for (int i = 0; i < 2000; i++)
        {
            var a = frac.GetRandomTransform(50, 100, rng);
            Assert.Equal(0, a.Tx);
            maxTy = Math.Max(maxTy, Math.Abs(a.Ty));
            var b = pix.GetRandomTransform(50, 100, rng);
            Assert.Equal(0, b.Ty);
            maxTx = Math.Max(maxTx, Math.Abs(b.Tx));
        }
        Assert.InRange(maxTy, 19.5, 20.0);   // 0.2 * width 100
        Assert.InRange(maxTx, 2.9, 3.0);     // 3 pixels
    }

    [Fact]
    public void Random_ranges_follow_their_definitions()
    {
        var gen = new ImageDataGenerator(rotationRange: 40, shearRange: 0.2f, zoomRange: 0.2f, brightnessRange: (0.5f, 1.5f), channelShiftRange: 10);
        var rng = new Random(7);
        bool zoomDiffers = false;
        for (int i = 0; i < 500; i++)
        {
            var p = gen.GetRandomTransform(10, 10, rng);
            Assert.InRange(p.Theta, -40, 40);
            Assert.InRange(p.Shear, -0.2, 0.2);   // degrees, as Keras
            Assert.InRange(p.Zx, 0.8, 1.2);
            Assert.InRange(p.Zy, 0.8, 1.2);
            zoomDiffers |= p.Zx != p.Zy;            // drawn independently
            Assert.InRange(p.Brightness!.Value, 0.5, 1.5);
            Assert.InRange(p.ChannelShiftIntensity!.Value, -10, 10);
            Assert.False(p.FlipHorizontal || p.FlipVertical);
        }
        Assert.True(zoomDiffers);
        var flips = new ImageDataGenerator(horizontalFlip: true);
        int n = Enumerable.Range(0, 1000).Count(_ => flips.GetRandomTransform(4, 4, rng).FlipHorizontal);
        Assert.InRange(n, 430, 570);   // p = 0.5
    }

    [Fact]
    public void Flips_mirror_the_image()
    {
        var img = new Tensor(3, 4, 2);
        for (int i = 0; i < img.Size; i++) img.Data[i] = i;
        var h = Plain.ApplyTransform(img, new TransformParameters { FlipHorizontal = true });
        var v = Plain.ApplyTransform(img, new TransformParameters { FlipVertical = true });
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++)
                for (int k = 0; k < 2; k++)
                {
                    Assert.Equal(img[r, 3 - c, k], h[r, c, k]);
                    Assert.Equal(img[2 - r, c, k], v[r, c, k]);
                }
    }

    [Fact]
    public void Zoom_2_samples_twice_the_offset_from_keras_centre()
    {
        // Keras centres at h/2 + 0.5 = 5 for h = 9: output row r samples input row 5 + 2 (r - 5).
        var img = TestFiles.Marked(9, 9, 1, 3, 3);
        var z = Plain.ApplyTransform(img, new TransformParameters { Zx = 2, Zy = 2 });
        Assert.Equal(100f, z[4, 4, 0], 4);
        Assert.Equal((4, 4), TestFiles.ArgMax2D(z));
        var zy = Plain.ApplyTransform(img, new TransformParameters { Zx = 1, Zy = 2 });
        Assert.Equal(100f, zy[3, 4, 0], 4);
    }

    [Fact]
    public void Rotation_by_90_maps_a_known_pixel()
    {
        // theta = 90: input row = 5 - (c - 5), input col = 5 + (r - 5): input (2, 3) appears at output (3, 8).
        var img = TestFiles.Marked(9, 9, 3, 2, 3);
        var r = Plain.ApplyTransform(img, new TransformParameters { Theta = 90 });
        Assert.Equal((3, 8), TestFiles.ArgMax2D(r));
        Assert.Equal(100f, r[3, 8, 1], 3);
    }

    [Theory]
    [InlineData(30, 0, 1, 1)]     // rotation
    [InlineData(0, 25, 1, 1)]     // shear
    [InlineData(0, 0, 0.7, 1.3)]  // zoom
    [InlineData(20, 10, 0.9, 1.1)]
    public void Composed_affine_matches_keras_matrix_on_a_linear_image(double theta, double shear, double zx, double zy)
    {
        // Bilinear interpolation reproduces a linear function exactly, so every interior output pixel must equal
        // f(input point) where the input point comes from Keras' matrix: offset · R · T · Sh · Z · reset.
        int h = 21, w = 17;
        var img = new Tensor(h, w, 1);
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) img[r, c, 0] = 3f * r + 5f * c + 1f;
        var p = new TransformParameters { Theta = theta, Shear = shear, Zx = zx, Zy = zy, Tx = 1.5, Ty = -0.5 };
        var o = Plain.ApplyTransform(img, p);
        double t = theta * Math.PI / 180, s = shear * Math.PI / 180, ox = h / 2.0 + 0.5, oy = w / 2.0 + 0.5;
        int checkedPoints = 0;
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
            {
                // M = R · T · Sh · Z applied to (r - ox, c - oy), written out by hand.
                double zr = zx * (r - ox), zc = zy * (c - oy);
                double sr = zr - Math.Sin(s) * zc, sc = Math.Cos(s) * zc;
                double tr = sr + 1.5, tc = sc - 0.5;
                double ir = Math.Cos(t) * tr - Math.Sin(t) * tc + ox, ic = Math.Sin(t) * tr + Math.Cos(t) * tc + oy;
                if (ir < 0 || ir > h - 1 || ic < 0 || ic > w - 1) continue;
                Assert.True(Math.Abs(3 * ir + 5 * ic + 1 - o[r, c, 0]) < 2e-3, $"({r}, {c}): {o[r, c, 0]} vs {3 * ir + 5 * ic + 1}");
                checkedPoints++;
            }
        Assert.True(checkedPoints > h * w / 3);
    }

    [Theory]
    [InlineData(FillMode.Nearest, 3, new float[] { 40, 50, 50, 50, 50 })]
    [InlineData(FillMode.Constant, 3, new float[] { 40, 50, -1, -1, -1 })]
    [InlineData(FillMode.Reflect, 3, new float[] { 40, 50, 50, 40, 30 })]   // d c b a | a b c d e | e d c
    [InlineData(FillMode.Wrap, 3, new float[] { 40, 50, 20, 30, 40 })]     // scipy wrap: period n - 1
    [InlineData(FillMode.Nearest, -2, new float[] { 10, 10, 10, 20, 30 })]
    [InlineData(FillMode.Reflect, -2, new float[] { 20, 10, 10, 20, 30 })]
    [InlineData(FillMode.Wrap, -2, new float[] { 30, 40, 10, 20, 30 })]
    [InlineData(FillMode.Constant, -2, new float[] { -1, -1, 10, 20, 30 })]
    public void Fill_modes_fill_as_scipy_defines_them(FillMode mode, double ty, float[] expected)
    {
        var img = new Tensor(3, 5, 1);
        for (int r = 0; r < 3; r++) for (int c = 0; c < 5; c++) img[r, c, 0] = 10 * (c + 1);
        var gen = new ImageDataGenerator(fillMode: mode, cval: -1);
        var o = gen.ApplyTransform(img, new TransformParameters { Ty = ty });
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 5; c++)
                Assert.Equal(expected[c], o[r, c, 0], 4);
    }

    [Fact]
    public void Channel_shift_adds_and_clips_to_the_image_range()
    {
        var img = Tensor.FromArray([10, 20, 30, 40, 50, 60], 1, 2, 3);
        var o = Plain.ApplyTransform(img, new TransformParameters { ChannelShiftIntensity = 25 });
        Assert.Equal([35f, 45, 55, 60, 60, 60], o.Span.ToArray());
    }

    [Fact]
    public void Brightness_scales_by_the_maximum_without_stretching_from_the_minimum()
    {
        // keras_preprocessing 1.1: array_to_img(scale=True) divides by the max (no shift: the min is not negative),
        // then PIL blends with black and truncates.
        var img = Tensor.FromArray([0, 51, 255, 100], 1, 4, 1);
        var o = Plain.ApplyTransform(img, new TransformParameters { Brightness = 0.5 });
        Assert.Equal([0f, 25, 127, 50], o.Span.ToArray());
        var dim = Tensor.FromArray([10, 20, 30], 1, 3, 1);   // 10/30*255 = 85, not 0: the minimum is not subtracted
        Assert.Equal([85f, 170, 255], Plain.ApplyTransform(dim, new TransformParameters { Brightness = 1.0 }).Span.ToArray());
        var negative = Tensor.FromArray([-10, 20, 100], 1, 3, 1);   // shifted by +10 only because the min is negative
        Assert.Equal([0f, 69, 255], Plain.ApplyTransform(negative, new TransformParameters { Brightness = 1.0 }).Span.ToArray());
        Assert.Equal([0f, 103, 255], Plain.ApplyTransform(negative, new TransformParameters { Brightness = 1.5 }).Span.ToArray());
    }

    [Fact]
    public void Rescale_is_applied_after_the_random_transform()
    {
        // All-zero images, fill cval 100: filled pixels must come out as 100 / 255 (cval rescaled after the transform).
        var gen = new ImageDataGenerator(rescale: 1f / 255, widthShiftRange: 0.5f, fillMode: FillMode.Constant, cval: 100);
        using var it = gen.Flow(new Tensor(8, 6, 10, 1), null, batchSize: 8, seed: 3);
        var (x, y) = it.Next();
        Assert.Null(y);
        Assert.Equal(100f / 255, System.Numerics.Tensors.TensorPrimitives.Max(x.Span), 5);
        Assert.True(System.Numerics.Tensors.TensorPrimitives.Min(x.Span) >= 0);
        var std = gen.Standardize(Tensor.Full(51f, 1, 1, 1));
        Assert.Equal(0.2f, std[0, 0, 0], 5);
    }

    [Fact]
    public void Preprocessing_function_runs_before_rescale()
    {
        var gen = new ImageDataGenerator(rescale: 0.5f, preprocessingFunction: t => t + 10f);
        Assert.Equal(15f, gen.Standardize(Tensor.Full(20f, 1, 1, 1))[0, 0, 0]);
    }

    [Fact]
    public void Random_transform_is_seeded()
    {
        var gen = new ImageDataGenerator(rotationRange: 40, widthShiftRange: 0.2f, zoomRange: 0.2f, horizontalFlip: true);
        var img = new Tensor(12, 12, 3);
        new Random(2).NextSingle();
        for (int i = 0; i < img.Size; i++) img.Data[i] = i % 255;
        var a = gen.RandomTransform(img, 42);
        var b = gen.RandomTransform(img, 42);
        var c = gen.RandomTransform(img, 43);
        Assert.Equal(a.Span.ToArray(), b.Span.ToArray());
        Assert.NotEqual(a.Span.ToArray(), c.Span.ToArray());
    }

    [Fact]
    public void Flow_batches_do_not_depend_on_worker_count_or_timing()
    {
        var x = new Tensor(20, 8, 8, 3);
        var rnd = new Random(1);
        for (int i = 0; i < x.Size; i++) x.Data[i] = rnd.Next(256);
        var y = new Tensor(20);
        for (int i = 0; i < 20; i++) y.Data[i] = i;
        var gen = new ImageDataGenerator(rotationRange: 30, zoomRange: 0.3f, horizontalFlip: true, rescale: 1f / 255);
        float[][] Run(int workers, int prefetch)
        {
            using var it = gen.Flow(x, y, batchSize: 6, seed: 11);
            it.Workers = workers;
            it.PrefetchBatches = prefetch;
            var list = new List<float[]>();
            for (int b = 0; b < 8; b++) { var (xb, yb) = it.Next(); list.Add([.. xb.Span, .. yb!.Span]); }
            return list.ToArray();
        }
        var one = Run(1, 1);
        var four = Run(4, 3);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], four[i]);
        // 20 samples, batch 6: 6, 6, 6, 2, then the next pass; each pass is a permutation of all targets.
        Assert.Equal(6 * 8 * 8 * 3 + 6, one[0].Length);
        Assert.Equal(2 * 8 * 8 * 3 + 2, one[3].Length);
        var firstPass = one.Take(4).SelectMany(b => b[^(b.Length / (8 * 8 * 3 + 1))..]).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (float)i), firstPass);
    }
}
