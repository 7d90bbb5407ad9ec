using DeepSharp.Applications;
using DeepSharp.Layers;
using DeepSharp.Models;
using PureHDF;

namespace DeepSharp.Tests.Applications;

public class VGG16Tests
{
    private static readonly string[] ConvNames =
    [
        "block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2", "block3_conv1", "block3_conv2", "block3_conv3",
        "block4_conv1", "block4_conv2", "block4_conv3", "block5_conv1", "block5_conv2", "block5_conv3",
    ];

    [Fact]
    public void NotopBaseHasKerasLayersAndParameterCount()
    {
        var convBase = DeepSharp.Applications.Applications.VGG16(weights: null, includeTop: false, inputShape: (150, 150, 3));
        Assert.Equal(14_714_688, convBase.CountParams());
        Assert.Equal("vgg16", convBase.Name);
        Assert.Equal(
            ["block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2", "block2_pool",
             "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool", "block4_conv1", "block4_conv2", "block4_conv3", "block4_pool",
             "block5_conv1", "block5_conv2", "block5_conv3", "block5_pool"],
            convBase.Layers.Select(l => l.Name).ToArray());
        Assert.Equal([4, 4, 512], convBase.OutputShapePerSample!);
        string summary = convBase.SummaryText();
        Assert.Contains("Total params: 14,714,688", summary);
        Assert.Contains("(None, 75, 75, 64)", summary);
    }

    [Fact]
    public void TopAndPoolingFollowKeras()
    {
        var withTop = DeepSharp.Applications.Applications.VGG16(weights: null, includeTop: true, inputShape: (32, 32, 3), classes: 7);
        Assert.Equal(["flatten", "fc1", "fc2", "predictions"], withTop.Layers.Skip(18).Select(l => l.Name).ToArray());
        Assert.Equal([7], withTop.OutputShapePerSample!);
        // 14,714,688 + fc1 (512·4096 + 4096) + fc2 (4096·4096 + 4096) + predictions (4096·7 + 7)
        Assert.Equal(14_714_688 + 2_101_248 + 16_781_312 + 28_679, withTop.CountParams());
        Assert.Equal([512], DeepSharp.Applications.Applications.VGG16(weights: null, includeTop: false, inputShape: (32, 32, 3), pooling: "avg").OutputShapePerSample!);
        var max = DeepSharp.Applications.Applications.VGG16(weights: null, includeTop: false, inputShape: (64, 48, 3), pooling: "max");
        Assert.Equal([512], max.OutputShapePerSample!);
        Assert.IsType<GlobalMaxPooling2D>(max.Layers[^1]);
    }

    [Fact]
    public void BadArgumentsAreExplained()
    {
        var a = Assert.Throws<ArgumentException>(() => DeepSharp.Applications.Applications.VGG16(weights: "imagenet", includeTop: true, classes: 2));
        Assert.Contains("1000", a.Message);
        var b = Assert.Throws<ArgumentException>(() => DeepSharp.Applications.Applications.VGG16(weights: "imagenet", includeTop: true, inputShape: (150, 150, 3)));
        Assert.Contains("(224, 224, 3)", b.Message);
        Assert.Throws<ArgumentException>(() => DeepSharp.Applications.Applications.VGG16(weights: null, includeTop: false, inputShape: (16, 16, 3)));
        Assert.Throws<ArgumentException>(() => DeepSharp.Applications.Applications.VGG16(weights: null, includeTop: false, pooling: "sum"));
        var c = Assert.Throws<ArgumentException>(() => DeepSharp.Applications.Applications.VGG16(weights: "no/such/file.h5", includeTop: false));
        Assert.Contains("no/such/file.h5", c.Message);
    }

    /// <summary>Writes a full-size VGG16 notop file in the layout of Keras' published one (see tests/fixtures/keras_h5/make_fixtures.py).</summary>
    private static Dictionary<string, (float[] Kernel, float[] Bias)> WritePublishedNotopLayout(string path)
    {
        var convBase = DeepSharp.Applications.Applications.VGG16(weights: null, includeTop: false, inputShape: (32, 32, 3));
        var values = new Dictionary<string, (float[], float[])>();
        var file = new H5File();
        var layerNames = new List<string> { "input_1" };
        file["input_1"] = new H5Group { Attributes = new() { ["weight_names"] = Array.Empty<double>() } };
        var random = new Random(7);
        foreach (var layer in convBase.Layers)
        {
            layerNames.Add(layer.Name);
            var w = layer.GetWeights();
            if (w.Count == 0)
            {
                file[layer.Name] = new H5Group { Attributes = new() { ["weight_names"] = Array.Empty<double>() } };
                continue;
            }
            var kernel = new float[w[0].Size];
            var bias = new float[w[1].Size];
            for (int i = 0; i < kernel.Length; i++) kernel[i] = (float)(random.NextDouble() - 0.5) * 0.01f;
            for (int i = 0; i < bias.Length; i++) bias[i] = (float)random.NextDouble();
            values[layer.Name] = (kernel, bias);
            string wn = $"{layer.Name}_W_1:0", bn = $"{layer.Name}_b_1:0";
            file[layer.Name] = new H5Group
            {
                Attributes = new() { ["weight_names"] = new[] { wn, bn } },
                [wn] = new H5Dataset(kernel, fileDims: w[0].Shape.ToArray().Select(d => (ulong)d).ToArray()),
                [bn] = new H5Dataset(bias, fileDims: [(ulong)bias.Length]),
            };
        }
        file.Attributes["layer_names"] = layerNames.ToArray();
        file.Attributes["backend"] = "tensorflow";
        file.Write(path, new H5WriteOptions(DefaultStringLength: 20));
        return values;
    }

    [Fact]
    public void ImagenetWeightsComeFromTheKerasCacheWhenTheChecksumMatches()
    {
        using var home = new Data.TempFolder();
        Directory.CreateDirectory(Path.Combine(home.Path, "models"));
        string cached = Path.Combine(home.Path, "models", DeepSharp.Applications.Applications.VGG16NoTop.FileName);
        var values = WritePublishedNotopLayout(cached);
        // The real file's MD5 is Keras' published one; this file stands in for it with its own MD5, and an address that cannot answer.
        var standIn = DeepSharp.Applications.Applications.VGG16NoTop with { Md5 = KerasWeightFiles.Md5(cached), Url = "http://127.0.0.1:9/vgg16_notop.h5" };
        var convBase = DeepSharp.Applications.Applications.VGG16("imagenet", false, (150, 150, 3), null, 1000, "softmax", "vgg16", home.Path, standIn);
        foreach (var name in new[] { "block1_conv1", "block3_conv2", "block5_conv3" })
        {
            var w = convBase.GetLayer(name).GetWeights();
            Assert.Equal(values[name].Kernel, w[0].Span.ToArray());
            Assert.Equal(values[name].Bias, w[1].Span.ToArray());
        }
        Assert.Equal(ConvNames, values.Keys.ToArray());
    }

    [Fact]
    public void ACachedFileWithTheWrongChecksumIsNotUsedAndTheErrorSaysWhatToDo()
    {
        using var home = new Data.TempFolder();
        Directory.CreateDirectory(Path.Combine(home.Path, "models"));
        string cached = Path.Combine(home.Path, "models", DeepSharp.Applications.Applications.VGG16NoTop.FileName);
        File.WriteAllBytes(cached, [1, 2, 3]);
        var offline = DeepSharp.Applications.Applications.VGG16NoTop with { Url = "http://127.0.0.1:9/vgg16_notop.h5" };
        var ex = Assert.Throws<FileNotFoundException>(() =>
            DeepSharp.Applications.Applications.VGG16("imagenet", false, (150, 150, 3), null, 1000, "softmax", "vgg16", home.Path, offline));
        Assert.Contains("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", ex.Message);
        Assert.Contains("6d6bbae143d832006294945121d1f1fc", ex.Message);
        Assert.Contains("weights: null", ex.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(cached));   // the cache is left alone when the download fails
    }

    [Fact]
    public void PreprocessInputIsKerasCaffeMode()
    {
        var rgb = Tensor.FromArray([10f, 20f, 30f, 255f, 0f, 128f], 1, 1, 2, 3);
        var p = DeepSharp.Applications.Applications.VGG16PreprocessInput(rgb).Span.ToArray();
        float[] expected = [30f - 103.939f, 20f - 116.779f, 10f - 123.68f, 128f - 103.939f, 0f - 116.779f, 255f - 123.68f];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], p[i], 4);
        Assert.Equal(10f, rgb.Span[0]);   // the input is left alone
        Assert.Throws<ArgumentException>(() => DeepSharp.Applications.Applications.VGG16PreprocessInput(new Tensor(1, 2, 2, 4)));
    }
}
