using DeepSharp.Models;
using DeepSharp.Tests.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using Apps = DeepSharp.Applications.Applications;

namespace DeepSharp.Tests.Applications;

/// <summary>
/// Applications.ResNet18 against ONNX Runtime running the package's two files (preprocessing, then the network) on
/// a real photo (skimage's chelsea.png at 224×224, tests/fixtures/onnx/make_fixtures.py).
/// </summary>
[Collection(DeepSharp.Tests.Onnx.HeavyOnnxTests.Name)]
public class ResNet18Tests(ITestOutputHelper output)
{
    private static readonly Lazy<Model> Pretrained = new(() => Apps.ResNet18());

    /// <summary>The photo as a (1, 224, 224, 3) NHWC tensor of 0–255 values.</summary>
    internal static Tensor Chelsea()
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "onnx", "chelsea224.rgb"));
        return new Tensor(bytes.Select(b => (float)b).ToArray(), 1, 224, 224, 3);
    }

    /// <summary>ONNX Runtime's 512 features for NHWC images (each image run separately: the files fix the batch to 1).</summary>
    internal static float[][] OnnxRuntimeFeatures(Tensor images)
    {
        var (net, prep) = DeepSharp.Applications.ResNet18Files.Find();
        using var prepSession = new InferenceSession(prep);
        using var netSession = new InferenceSession(net);
        var result = new float[images.Dim(0)][];
        for (int n = 0; n < images.Dim(0); n++)
        {
            var nchw = new DenseTensor<float>([1, 3, 224, 224]);
            for (int y = 0; y < 224; y++)
                for (int x = 0; x < 224; x++)
                    for (int c = 0; c < 3; c++)
                        nchw[0, c, y, x] = images[n, y, x, c];
            using var pre = prepSession.Run([NamedOnnxValue.CreateFromTensor(prepSession.InputMetadata.Keys.Single(), nchw)]);
            var preprocessed = pre.Single().AsTensor<float>().ToDenseTensor();
            using var feats = netSession.Run([NamedOnnxValue.CreateFromTensor(netSession.InputMetadata.Keys.Single(), preprocessed)]);
            result[n] = feats.Single().AsEnumerable<float>().ToArray();
        }
        return result;
    }

    [Fact]
    public void FeaturesOfARealPhotoMatchOnnxRuntime()
    {
        var image = Chelsea();
        var expected = OnnxRuntimeFeatures(image)[0];
        var features = Pretrained.Value.Predict(image);
        Assert.Equal([1, 512], features.Shape.ToArray());
        float maxDiff = 0f, maxAbs = 0f;
        for (int i = 0; i < 512; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(features[0, i] - expected[i]));
            maxAbs = Math.Max(maxAbs, Math.Abs(expected[i]));
        }
        output.WriteLine($"ResNet18 features vs ONNX Runtime: max abs diff {maxDiff:g3} (largest feature {maxAbs:g3})");
        Assert.True(maxAbs > 1f, "the reference features are all near zero: the test would not see an error");
        Assert.True(maxDiff <= 1e-3f, $"max abs diff {maxDiff} > 1e-3");
    }

    [Fact]
    public void TheBatchIsFreeAndImagesStayIndependent()
    {
        var one = Chelsea();
        var two = new Tensor(2, 224, 224, 3);
        one.Span.CopyTo(two.Span);
        for (int i = 0; i < one.Size; i++) two.Data[one.Size + i] = 255f - one.Data[i];   // the negative photo
        var expected = OnnxRuntimeFeatures(two);
        var features = Pretrained.Value.Predict(two, batchSize: 2);
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 512; i++)
                Assert.True(Math.Abs(features[n, i] - expected[n][i]) <= 1e-3f, $"image {n}, feature {i}: {features[n, i]} vs {expected[n][i]}");
    }

    [Fact]
    public void ArchitectureHasCntkStagesAndNamedLayers()
    {
        var model = Pretrained.Value;
        var layers = model.Layers;
        Assert.Equal(22, layers.Count(l => l is DeepSharp.Layers.Conv2D));
        Assert.Equal(22, layers.Count(l => l is DeepSharp.Layers.BatchNormalization));
        Assert.Equal(9, layers.Count(l => l is DeepSharp.Layers.Add));
        Assert.Contains(layers, l => l.Name == "Convolution249");   // ONNX node names become layer names
        Assert.Equal(layers.Count, layers.Select(l => l.Name).Distinct().Count());
        long conv = layers.OfType<DeepSharp.Layers.Conv2D>().Sum(l => l.CountParams());
        Assert.True(conv > 11_000_000 && conv < 16_000_000, $"conv parameters {conv}");
    }

    [Fact]
    public void OtherSizesUseTheChannelMeansAndGive512Features()
    {
        var model = Apps.ResNet18(inputShape: (160, 128, 3));
        var x = new Tensor(1, 160, 128, 3);
        Rng.Uniform(new System.Random(3), x.Span, 0f, 255f);
        var f = model.Predict(x);
        Assert.Equal([1, 512], f.Shape.ToArray());
        Assert.All(f.Span.ToArray(), v => Assert.True(float.IsFinite(v) && v >= 0f));   // post-ReLU averages
        var map = Apps.ResNet18(inputShape: (160, 128, 3), pooling: null);
        Assert.Equal([5, 4, 512], map.OutputShapePerSample);
    }

    [Fact]
    public void SaveAndLoadRoundTripsTheImportedModel()
    {
        using var dir = new TempFolder();
        var path = dir.File("resnet18.keras");
        var image = Chelsea();
        var before = Pretrained.Value.Predict(image).Clone();
        Pretrained.Value.Save(path);
        var loaded = Model.Load(path);
        var after = loaded.Predict(image);
        Assert.Equal(Pretrained.Value.Layers.Select(l => l.Name), loaded.Layers.Select(l => l.Name));
        for (int i = 0; i < 512; i++) Assert.Equal(before[0, i], after[0, i]);
    }

    [Fact]
    public void AFolderWithoutTheFilesSaysWhatItMustHold()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Apps.ResNet18(weights: "/nonexistent/DnnImageModels"));
        Assert.Contains("ResNet18Onnx/ResNet18.onnx", e.Message);
        Assert.Contains("weights: \"imagenet\"", e.Message);
        Assert.Contains("/nonexistent/DnnImageModels", e.Message);
    }
}
