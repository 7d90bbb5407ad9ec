namespace DeepSharp.Vision.Tests;

/// <summary>The random-draw and file-writing options of ImageDataGenerator (Keras' semantics, checked by distribution
/// and by the files written; the deterministic parts are compared with keras_preprocessing in KerasGolden*Tests).</summary>
public class GeneratorOptionTests
{
    private static HashSet<double> Shifts(ShiftRange range, int size, int draws = 4000)
    {
        var random = new Random(5);
        var set = new HashSet<double>();
        for (int i = 0; i < draws; i++) set.Add(range.Draw(random, size));
        return set;
    }

    [Fact]
    public void Int_shift_range_draws_integers_strictly_inside_minus_n_to_n()
    {
        Assert.Equal(new HashSet<double> { -2, -1, 0, 1, 2 }, Shifts(3, 100));
        Assert.Equal(new HashSet<double> { 0 }, Shifts(1, 100));   // np.random.choice(1) is always 0
    }

    [Fact]
    public void List_shift_range_draws_a_value_with_a_random_sign_and_fractions_scale_by_the_side()
    {
        Assert.Equal(new HashSet<double> { 0, 8, -8 }, Shifts(new[] { 0f, 8f }, 100));
        Assert.Equal(new HashSet<double> { 5, -5 }, Shifts(new[] { 0.25f }, 20));   // all values < 1: fractions of 20 pixels
        var floats = Shifts(0.1f, 50);
        Assert.True(floats.Count > 1000 && floats.All(v => v > -5 && v < 5));
    }

    [Fact]
    public void Shift_ranges_feed_the_random_transform()
    {
        var gen = new ImageDataGenerator(widthShiftRange: 2, heightShiftRange: new[] { 3f });
        var random = new Random(1);
        for (int i = 0; i < 50; i++)
        {
            var p = gen.GetRandomTransform(10, 10, random);
            Assert.Contains(p.Tx, new[] { -3.0, 3.0 });
            Assert.Contains(p.Ty, new[] { -1.0, 0.0, 1.0 });
        }
    }

    [Fact]
    public void Save_to_dir_writes_each_augmented_image_scaled_like_array_to_img()
    {
        using var dir = new TempDir();
        var x = new Tensor(3, 4, 5, 3);
        for (int i = 0; i < x.Size; i++) x.Data[i] = i % 7;   // max 6: array_to_img stretches 6 to 255
        var gen = new ImageDataGenerator(rescale: 1f / 255);
        using var it = gen.Flow(x, batchSize: 3, shuffle: false, seed: 2, saveToDir: dir.Path, savePrefix: "aug", saveFormat: "png");
        it.Next();
        var files = Directory.GetFiles(dir.Path).Select(f => Path.GetFileName(f)).Order().ToArray();
        Assert.Equal(3, files.Length);
        Assert.All(files, f => Assert.Matches(@"^aug_[0-2]_\d+\.png$", f));
        var first = ImageIO.Load(Path.Combine(dir.Path, files[0]));
        Assert.Equal([4, 5, 3], first.Shape.ToArray());
        Assert.Equal(255f, System.Numerics.Tensors.TensorPrimitives.Max(first.Span));
        Assert.Equal((int)(1f / 6 * 255), first[0, 0, 1]);   // value 1 of max 6, truncated as the uint8 cast
    }

    [Fact]
    public void Fit_with_augment_computes_statistics_over_all_rounds()
    {
        var x = new Tensor(4, 6, 6, 1);
        for (int i = 0; i < x.Size; i++) x.Data[i] = i % 11;
        var plain = new ImageDataGenerator(featurewiseCenter: true);
        plain.Fit(x);
        var augmented = new ImageDataGenerator(featurewiseCenter: true, horizontalFlip: true);
        augmented.Fit(x, augment: true, rounds: 3, seed: 1);
        Assert.Equal(plain.Mean!.Data[0], augmented.Mean!.Data[0], 4);   // flips do not change the mean
        Assert.Throws<ArgumentException>(() => plain.Fit(new Tensor(6, 6, 1)));
    }

    [Fact]
    public void Unsupported_options_say_what_is_supported()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageDataGenerator(dtype: "float64"));
        Assert.Contains("float32", e.Message);
        Assert.Throws<ArgumentException>(() => new ImageDataGenerator(interpolationOrder: 3));
        Assert.Throws<ArgumentException>(() => new ImageDataGenerator(widthShiftRange: -1f));
    }
}
