using System.IO.Compression;
using System.Text;
using DeepSharp.Models;
using DeepSharp.Onnx;
using DeepSharp.Vision;
using SkiaSharp;

namespace DeepSharp.Cli.Tests;

/// <summary>
/// `--base resnet18|vgg16|FILE.onnx|FILE.keras` in `train` and `extract-features` (issue 8): real image folders written here
/// (PNG and JPEG, not at the base's size), ResNet18's ImageNet weights from the NuGet package, and the small ONNX graph of
/// tests/fixtures/onnx (written by its make_fixtures.py).
/// </summary>
public class PretrainedBaseTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "onnx", name);

    /// <summary>
    /// Class folders a/ and b/ under <paramref name="root"/>, <paramref name="perClass"/> images each, 64×48 noise with a
    /// class-dependent red channel, alternately PNG and JPEG (written with SkiaSharp).
    /// </summary>
    private static void WriteClasses(string root, int perClass, int seed)
    {
        var random = new Random(seed);
        foreach (var cls in new[] { "a", "b" })
        {
            Directory.CreateDirectory(Path.Combine(root, cls));
            for (int i = 0; i < perClass; i++)
            {
                using var bitmap = new SKBitmap(64, 48, SKColorType.Rgba8888, SKAlphaType.Opaque);
                for (int y = 0; y < 48; y++)
                    for (int x = 0; x < 64; x++)
                        bitmap.SetPixel(x, y, new SKColor(cls == "a" ? (byte)230 : (byte)random.Next(40), (byte)random.Next(256), (byte)random.Next(256)));
                bool jpeg = i % 2 == 1;
                using var data = bitmap.Encode(jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 90);
                File.WriteAllBytes(Path.Combine(root, cls, $"{cls}{i}.{(jpeg ? "jpg" : "png")}"), data.ToArray());
            }
        }
    }

    private static string ChapterLayout(TempFolder dir, int perClass)
    {
        string root = dir.File("DS");
        WriteClasses(Path.Combine(root, "train"), perClass, 1);
        WriteClasses(Path.Combine(root, "validation"), perClass, 2);
        return root;
    }

    /// <summary>A float32 array of a NumPy .npz (NumPy's .npy format 1.0: magic, header dict, little-endian data).</summary>
    private static (int[] Shape, float[] Values) ReadNpzFloats(string path, string key)
    {
        using var zip = ZipFile.OpenRead(path);
        using var s = zip.GetEntry(key + ".npy")!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        var bytes = ms.ToArray();
        int headerLength = BitConverter.ToUInt16(bytes, 8);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Contains("'descr': '<f4'", header);
        string shapeText = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        var shape = shapeText[..shapeText.IndexOf(')')].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        Buffer.BlockCopy(bytes, 10 + headerLength, values, 0, values.Length * 4);
        return (shape, values);
    }

    /// <summary>The pixels the CLI feeds a base: the files in class order, resized (nearest, as FlowFromDirectory) to its size.</summary>
    private static Tensor Pixels(string root, (int H, int W) size)
    {
        var files = new[] { "a", "b" }.SelectMany(c => Directory.GetFiles(Path.Combine(root, c)).Order(StringComparer.Ordinal)).ToList();
        var batch = new Tensor(files.Count, size.H, size.W, 3);
        for (int i = 0; i < files.Count; i++)
            ImageIO.Load(files[i], ColorMode.Rgb, size).Span.CopyTo(batch.Data.AsSpan(i * size.H * size.W * 3));
        return batch;
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"feature {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void ExtractFeatures_Resnet18_Gives512FeaturesPerImage_EqualToPredictOnTheSamePixels()
    {
        using var dir = new TempFolder();
        string data = dir.File("images"), output = dir.File("features.npz");
        WriteClasses(data, 2, 3);
        var r = Cli.Run(dir.Path, "extract-features", "--base", "resnet18", "--data", data, "--output", output, "--batch-size", "3");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("224×224×3", r.Stdout);

        var (shape, features) = ReadNpzFloats(output, "features");
        Assert.Equal([4, 512], shape);
        var expected = Applications.Applications.ResNet18(weights: "imagenet").Predict(Pixels(data, (224, 224)));
        Assert.Equal((4, 512), (expected.Dim(0), expected.Dim(1)));
        AssertClose(expected.Data, features, 1e-4f);
        Assert.True(features.Count(v => v > 0) > 100, "ResNet18's pooled ReLU features should be mostly positive, not zeros");
    }

    [Fact]
    public void ExtractFeatures_OnnxFile_TakesTheFilesInputSize()
    {
        using var dir = new TempFolder();
        string data = dir.File("images"), output = dir.File("f.npz");
        WriteClasses(data, 2, 4);
        var r = Cli.Run(dir.Path, "extract-features", "--base", Fixture("cnn.onnx"), "--data", data, "--output", output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("11×10×3", r.Stdout);   // the file's (1, 3, 11, 10) input, not --target-size's default

        var (shape, features) = ReadNpzFloats(output, "features");
        Assert.Equal([4, 5], shape);
        AssertClose(OnnxModel.Load(Fixture("cnn.onnx")).Predict(Pixels(data, (11, 10))).Data, features, 1e-5f);
    }

    [Fact]
    public void TrainOnResnet18_OneEpoch_SavesAModelThatPredictTakesWithRawPixels()
    {
        using var dir = new TempFolder();
        string ds = ChapterLayout(dir, 2), output = dir.File("OUT");
        var r = Cli.Run(dir.Path, "train", "--data", ds, "--base", "resnet18", "--epochs", "1", "--batch-size", "2", "--output", output, "--seed", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Phase 1: training the classifier on the frozen resnet18 base", r.Stdout);
        Assert.Contains("val accuracy:", r.Stdout);

        var model = Model.Load(Path.Combine(output, "model.keras"));
        Assert.Equal([224, 224, 3], model.InputShape!);
        Assert.Equal(16_059_328L + 512 * 256 + 256 + 257, model.CountParams());

        var p = Cli.Run(dir.Path, "predict", "--model", Path.Combine(output, "model.keras"), "--data", Path.Combine(ds, "validation"));
        Assert.True(p.ExitCode == 0, p.Stderr);
        Assert.Contains("a0.png", p.Stdout);

        // predict and visualize read the model's own input convention (it starts with Rescaling(1): raw 0–255 pixels),
        // checked against the library on raw pixels: a 1/255 scale would give other numbers.
        string image = Path.Combine(ds, "validation", "b", "b0.png");
        var raw = ImageIO.Load(image, ColorMode.Rgb, (224, 224), Interpolation.Nearest);
        float expectedB = model.Predict(raw.Reshape(1, 224, 224, 3)).Data[0];
        var one = Cli.Run(dir.Path, "predict", "--model", Path.Combine(output, "model.keras"), "--image", image);
        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.Contains($"b {expectedB.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}", one.Stdout);

        var cam = Cli.Run(dir.Path, "visualize", "gradcam", "--model", Path.Combine(output, "model.keras"), "--image", image, "-o", dir.File("cam"));
        Assert.True(cam.ExitCode == 0, cam.Stderr);
        var heatmap = File.ReadAllBytes(dir.File("cam/heatmap.npy"));
        int headerLength = BitConverter.ToUInt16(heatmap, 8);
        var values = new float[(heatmap.Length - 10 - headerLength) / 4];
        Buffer.BlockCopy(heatmap, 10 + headerLength, values, 0, values.Length * 4);
        var expectedCam = GradCam.Compute(model, raw);
        AssertClose(expectedCam.Heatmap.Span.ToArray(), values, 1e-4f);

        var act = Cli.Run(dir.Path, "visualize", "activations", "--model", Path.Combine(output, "model.keras"), "--image", image, "-o", dir.File("act"), "--layers", model.Layers[0].Name);
        Assert.True(act.ExitCode == 0, act.Stderr);
    }

    [Fact]
    public void TrainOnOnnxFile_FineTunesFromAnImportedLayerName()
    {
        using var dir = new TempFolder();
        string ds = ChapterLayout(dir, 2), output = dir.File("OUT");
        var r = Cli.Run(dir.Path, "train", "--data", ds, "--base", Fixture("cnn.onnx"), "--epochs", "1", "--fine-tune-from", "dense",
            "--fine-tune-epochs", "1", "--batch-size", "2", "--output", output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Phase 2: fine-tuning from dense", r.Stdout);
        Assert.Contains("Epoch 2/2", r.Stdout);
        Assert.Equal([11, 10, 3], Model.Load(Path.Combine(output, "model.keras")).InputShape!);
    }

    [Fact]
    public void VisualizeFilters_TakesAnOnnxBase_AndRefusesWeightsForIt()
    {
        using var dir = new TempFolder();
        var r = Cli.Run(dir.Path, "visualize", "filters", "--base", Fixture("cnn.onnx"), "--layer", "conv1", "--count", "2", "--steps", "2", "-o", dir.File("vis"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(Path.Combine(dir.File("vis"), "conv1_filters.png"), r.Stdout.Trim());
        Assert.True(ImageIO.Load(r.Stdout.Trim()).Dim(0) > 11);   // a titled grid of two 11×10 patterns
        Cli.AssertOneLineError(Cli.Run(dir.Path, "visualize", "filters", "--base", Fixture("cnn.onnx"), "--weights", "random", "--layer", "conv1", "-o", dir.File("vis")), 2,
            "--weights", "cnn.onnx");
    }

    [Fact]
    public void Vgg16Base_HasKerasCaffePreprocessingInFront()
    {
        var network = Commands.BaseNetworks.Resolve("vgg16", size: 40, weights: "random");
        Assert.Equal((40, 40), network.Size);
        Assert.Contains("caffe", network.Describe());
        var random = new Random(5);
        var pixels = new Tensor(2, 40, 40, 3);
        for (int i = 0; i < pixels.Size; i++) pixels.Data[i] = random.Next(256);
        var expected = network.Model.Predict(Applications.Applications.VGG16PreprocessInput(pixels));
        AssertClose(expected.Data, network.FeatureModel().Predict(pixels).Data, 1e-6f);
        Assert.Equal(3 * 3 + 3, network.Classifier(2, dropout: false).GetLayer("caffe_preprocessing").CountParams());
        Assert.False(network.Classifier(2, dropout: false).GetLayer("caffe_preprocessing").Trainable);
    }

    [Fact]
    public void BaseErrors_AreOneLine_NamingTheChoicesOrTheFile()
    {
        using var dir = new TempFolder();
        string ds = ChapterLayout(dir, 1);
        Cli.AssertOneLineError(Cli.Run(dir.Path, "train", "--data", ds, "--base", "resnet19"), 2,
            "--base", "'resnet19'", "resnet18, vgg16, FILE.onnx or FILE.keras");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "extract-features", "--base", "missing.onnx", "--data", ds, "--output", dir.File("f.npz")), 1,
            "--base", "'missing.onnx'", "does not exist");
        File.WriteAllText(dir.File("bad.onnx"), "not a protobuf");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "train", "--data", ds, "--base", dir.File("bad.onnx")), 1, "bad.onnx");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "train", "--data", ds, "--base", Fixture("cnn.onnx"), "--target-size", "150"), 2,
            "--target-size", "11×10");
        var r = Cli.Run(dir.Path, "train", "--data", ds, "--base", "resnet18", "--fine-tune-from", "block5_conv1");
        Cli.AssertOneLineError(r, 2, "--fine-tune-from", "'block5_conv1'", "Convolution381", "Convolution387");
        Assert.DoesNotContain("Epoch", r.Stdout);
        Assert.False(File.Exists(dir.File("f.npz")));
    }
}
