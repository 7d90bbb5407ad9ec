using Xunit.Abstractions;

namespace DeepSharp.Vision.Tests;

/// <summary>
/// Pixel-by-pixel comparisons with keras_preprocessing 1.1 (scipy 1.10, Pillow 9.4) on the goldens of
/// tests/fixtures/keras_preprocessing/make_fixtures.py. Each test walks one family of cases and reports the largest
/// difference of each, so a failure names every case that moved.
/// </summary>
public class KerasGoldenTests(ITestOutputHelper output)
{
    private static FillMode Mode(string name) => name switch
    {
        "nearest" => FillMode.Nearest, "constant" => FillMode.Constant, "reflect" => FillMode.Reflect, "wrap" => FillMode.Wrap,
        _ => throw new ArgumentException(name),
    };

    private static Interpolation Filter(string name) => name switch
    {
        "nearest" => Interpolation.Nearest, "bilinear" => Interpolation.Bilinear, "bicubic" => Interpolation.Bicubic,
        "box" => Interpolation.Area, "hamming" => Interpolation.Hamming, "lanczos" => Interpolation.Lanczos,
        _ => throw new ArgumentException(name),
    };

    private static ColorMode Color(string name) => name switch
    {
        "rgb" => ColorMode.Rgb, "grayscale" => ColorMode.Grayscale, "rgba" => ColorMode.Rgba, _ => throw new ArgumentException(name),
    };

    private static TransformParameters Parameters(KerasCase c) => new()
    {
        Theta = c.Scalar("theta"), Tx = c.Scalar("tx"), Ty = c.Scalar("ty"), Shear = c.Scalar("shear"),
        Zx = c.Scalar("zx", 1), Zy = c.Scalar("zy", 1),
        FlipHorizontal = c.Scalar("flip_horizontal") != 0, FlipVertical = c.Scalar("flip_vertical") != 0,
        ChannelShiftIntensity = c.Has("channel_shift_intensity") ? c.Scalar("channel_shift_intensity") : null,
    };

    /// <summary>Checks every case of a family against a tolerance and prints the largest difference of each.</summary>
    private void Check(string prefix, Func<KerasCase, IEnumerable<(string Tensor, Tensor Actual)>> run, double tolerance, int minCases)
    {
        var failures = new List<string>();
        double worst = 0;
        int count = 0;
        foreach (var name in KerasFixtures.Names(prefix))
        {
            var c = KerasFixtures.Case(name);
            foreach (var (tensor, actual) in run(c))
            {
                double d = c.MaxDifference(tensor, actual);
                worst = Math.Max(worst, d);
                count++;
                output.WriteLine($"{name}/{tensor}: max |diff| {d:G4}");
                if (d > tolerance) failures.Add($"{name}/{tensor}: {d:G4}");
            }
        }
        output.WriteLine($"{prefix}*: {count} arrays, max |diff| {worst:G4}");
        Assert.True(count >= minCases, $"only {count} '{prefix}' arrays in the fixtures");
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} differ from keras_preprocessing by more than {tolerance}: {string.Join("; ", failures)}");
    }

    [Fact]
    public void Apply_transform_matches_keras_for_every_fill_mode_transform_and_order()
    {
        var x = KerasFixtures.Case("transform_input").Tensor("x");
        Check("transform_", c => c.Name == "transform_input" ? [] :
        [
            ("y", new ImageDataGenerator(fillMode: c.Has("fill_mode") ? Mode(c.Text("fill_mode")) : FillMode.Nearest,
                    cval: (float)c.Scalar("cval"), interpolationOrder: (int)c.Scalar("order", 1))
                .ApplyTransform(x, Parameters(c))),
        ], tolerance: 2e-3, minCases: 35);
    }

    [Fact]
    public void Brightness_matches_keras_apply_brightness_shift()
    {
        var gen = new ImageDataGenerator();
        Check("brightness_", c =>
        {
            var x = c.Tensor("x");
            return Enumerable.Range(0, 5).Select(i =>
                ($"y{i}", gen.ApplyTransform(x, new TransformParameters { Brightness = c.Scalar($"factor{i}") })));
        }, tolerance: 0, minCases: 25);
    }

    [Fact]
    public void Load_img_matches_keras_for_every_interpolation_and_size()
    {
        Check("load_", c =>
        {
            string[] parts = c.Name.Split('_');   // load_<file>_<color>_<h>x<w>_<interp> or load_<file>_<color>_full
            string file = parts[1] + "_" + parts[2];
            var color = Color(parts[3]);
            if (parts[4] == "full") return [("y", ImageIO.Load(KerasFixtures.File(file), color))];
            int[] hw = parts[4].Split('x').Select(int.Parse).ToArray();
            var filter = Filter(parts[5]);
            var loaded = ImageIO.Load(KerasFixtures.File(file), color, (hw[0], hw[1]), filter);
            var batch = new Tensor(hw[0], hw[1], ImageIO.Channels(color));
            ImageIO.LoadInto(KerasFixtures.File(file), color, (hw[0], hw[1]), filter, batch.Span);
            return [("y", loaded), ("y", batch)];
        }, tolerance: 0, minCases: 40);
    }
}
