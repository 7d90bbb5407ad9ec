using Xunit.Abstractions;

namespace DeepSharp.Vision.Tests;

/// <summary>
/// ImageDataGenerator options against keras_preprocessing 1.1 (goldens from tests/fixtures/keras_preprocessing/make_fixtures.py):
/// fit + featurewise statistics, samplewise normalization, ZCA whitening, channels-first, preprocessing_function,
/// flow_from_dataframe, and keep_aspect_ratio (against Pillow's resize with Keras 2.9's crop box).
/// </summary>
public class KerasGoldenGeneratorTests(ITestOutputHelper output)
{
    private void Near(KerasCase c, string tensor, Tensor actual, double tolerance)
    {
        double d = c.MaxDifference(tensor, actual);
        output.WriteLine($"{c.Name}/{tensor}: max |diff| {d:G4}");
        Assert.True(d <= tolerance, $"{c.Name}/{tensor}: max |diff| {d:G4} > {tolerance}");
    }

    private static Tensor Item(Tensor batch, int i)
    {
        var shape = batch.Shape[1..].ToArray();
        int size = Tensor.Product(shape);
        var t = new Tensor(shape);
        batch.Span.Slice(i * size, size).CopyTo(t.Span);
        return t;
    }

    private static Tensor StandardizeAll(ImageDataGenerator gen, Tensor x)
    {
        var result = new Tensor(x.Shape.ToArray());
        int size = x.Size / x.Dim(0);
        for (int i = 0; i < x.Dim(0); i++) gen.Standardize(Item(x, i)).Span.CopyTo(result.Span.Slice(i * size, size));
        return result;
    }

    [Fact]
    public void Fit_and_standardize_match_keras()
    {
        var input = KerasFixtures.Case("standardize_input");
        var fit = input.Tensor("fit");
        var x = input.Tensor("x");
        var cases = new (string Name, ImageDataGenerator Gen)[]
        {
            ("standardize_featurewise", new(featurewiseCenter: true, featurewiseStdNormalization: true)),
            ("standardize_featurewise_center_rescale", new(featurewiseCenter: true, rescale: 1f / 255)),
            ("standardize_samplewise", new(samplewiseCenter: true, samplewiseStdNormalization: true, rescale: 1f / 255)),
            ("standardize_all", new(featurewiseCenter: true, featurewiseStdNormalization: true, samplewiseCenter: true,
                samplewiseStdNormalization: true, rescale: 0.5f)),
        };
        foreach (var (name, gen) in cases)
        {
            var c = KerasFixtures.Case(name);
            if (gen.FeaturewiseCenter)
            {
                gen.Fit(fit);
                Near(c, "mean", gen.Mean!, 1e-3);
                if (gen.FeaturewiseStdNormalization) Near(c, "std", gen.Std!, 1e-3);
            }
            Near(c, "y", StandardizeAll(gen, x), 1e-4 * 255);
        }
    }

    [Fact]
    public void Zca_whitening_matches_keras()
    {
        var c = KerasFixtures.Case("standardize_zca");
        var gen = new ImageDataGenerator(zcaWhitening: true, zcaEpsilon: (float)c.Scalar("zca_epsilon"));
        Assert.True(gen.FeaturewiseCenter);   // implied, as in Keras
        var fit = c.Tensor("fit");
        gen.Fit(fit);
        Near(c, "mean", gen.Mean!, 1e-3);
        Near(c, "principal_components", gen.PrincipalComponents!, 1e-4);
        var three = new Tensor(3, 3, 4, 2);
        fit.Span[..three.Size].CopyTo(three.Span);
        Near(c, "y", StandardizeAll(gen, three), 1e-3);
    }

    [Fact]
    public void Channels_first_fit_standardize_and_transform_match_keras()
    {
        var c = KerasFixtures.Case("channels_first");
        var gen = new ImageDataGenerator(dataFormat: DataFormat.ChannelsFirst, featurewiseCenter: true,
            featurewiseStdNormalization: true, fillMode: FillMode.Reflect);
        var fit = c.Tensor("fit");
        gen.Fit(fit);
        Near(c, "mean", gen.Mean!, 1e-3);
        Near(c, "std", gen.Std!, 1e-3);
        Near(c, "y_standardize", gen.Standardize(Item(fit, 0)), 1e-4);
        Near(c, "y_rotation", gen.ApplyTransform(Item(fit, 1), new TransformParameters { Theta = 33, Zx = 1.2 }), 2e-3);
        // The batch path gives the same layout: Flow over (n, c, h, w) returns (n, c, h, w) standardized batches.
        using var it = gen.Flow(fit, batchSize: 4, shuffle: false, seed: 1);
        var (xb, _) = it.Next();
        Assert.Equal([4, 3, 5, 6], xb.Shape.ToArray());
        Near(c, "y_standardize", Item(xb, 0), 1e-4);
    }

    [Fact]
    public void Preprocessing_function_then_rescale_then_samplewise_match_keras()
    {
        var c = KerasFixtures.Case("standardize_preprocessing_function");
        var gen = new ImageDataGenerator(preprocessingFunction: t => t * 0.5f + 3f, rescale: 0.1f, samplewiseCenter: true);
        Near(c, "y", gen.Standardize(Item(KerasFixtures.Case("standardize_input").Tensor("x"), 0)), 1e-4);
    }

    [Fact]
    public void Flow_from_dataframe_and_csv_match_keras()
    {
        string dir = KerasFixtures.File("df"), csv = Path.Combine(dir, "labels.csv");
        var gen = new ImageDataGenerator(rescale: 1f / 255, validationSplit: 0.3f);
        var cases = new (string Name, Func<DataFrameIterator> Make)[]
        {
            ("dataframe_categorical", () => gen.FlowFromCsv(csv, targetSize: (5, 4), shuffle: false)),
            ("dataframe_sparse_classes", () => gen.FlowFromCsv(csv, targetSize: (5, 4), shuffle: false, classMode: ClassMode.Sparse, classes: ["dog", "cat"])),
            ("dataframe_binary_validation", () => gen.FlowFromCsv(csv, targetSize: (5, 4), shuffle: false, classMode: ClassMode.Binary, classes: ["cat", "dog"], subset: Subset.Validation)),
            ("dataframe_raw_training", () => gen.FlowFromCsv(csv, yCol: "value", targetSize: (5, 4), shuffle: false, classMode: ClassMode.Raw, subset: Subset.Training)),
            ("dataframe_input", () => gen.FlowFromCsv(csv, targetSize: (5, 4), shuffle: false, classMode: ClassMode.Input)),
        };
        foreach (var (name, make) in cases)
        {
            var c = KerasFixtures.Case(name);
            using var it = make();
            Assert.Equal(c.Text("filenames"), string.Join("|", it.Filenames));
            Assert.Equal(c.Text("classes"), string.Join("|", it.ClassIndices.OrderBy(p => p.Value).Select(p => p.Key)));
            var (x, y) = it.Next();
            Near(c, "x", x, 1e-6);
            Near(c, "y", y!, 1e-6);
        }
    }

    [Fact]
    public void Keep_aspect_ratio_matches_pillow_with_keras_crop_box()
    {
        int count = 0;
        foreach (var name in KerasFixtures.Names("keepaspect_"))
        {
            var c = KerasFixtures.Case(name);
            string[] parts = name.Split('_');   // keepaspect_<file>_rgb_<h>x<w>_<interp>
            int[] hw = parts[4].Split('x').Select(int.Parse).ToArray();
            var filter = parts[5] switch
            {
                "nearest" => Interpolation.Nearest, "bilinear" => Interpolation.Bilinear, "bicubic" => Interpolation.Bicubic,
                "box" => Interpolation.Area, "hamming" => Interpolation.Hamming, _ => Interpolation.Lanczos,
            };
            string file = KerasFixtures.File(parts[1] + "_" + parts[2]);
            Near(c, "y", ImageIO.Load(file, ColorMode.Rgb, (hw[0], hw[1]), filter, keepAspectRatio: true), 0);
            var batch = new Tensor(hw[0], hw[1], 3);
            ImageIO.LoadInto(file, ColorMode.Rgb, (hw[0], hw[1]), filter, batch.Span, keepAspectRatio: true);
            Near(c, "y", batch, 0);
            count++;
        }
        Assert.True(count >= 13, $"only {count} keep-aspect cases");
    }
}
