using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Saving;
using PureHDF;

namespace DeepSharp.Tests.Saving;

/// <summary>
/// Keras 1/2 HDF5 weight files written by tests/fixtures/keras_h5/make_fixtures.py (h5py, Keras' attribute layout), with
/// outputs computed there by PyTorch: loading must reproduce them.
/// </summary>
public class KerasH5WeightsTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "keras_h5", name);

    internal static (Tensor X, Tensor Y) Reference(string name)
    {
        using var f = H5File.OpenRead(Fixture(name));
        Tensor Read(string ds)
        {
            var d = f.Dataset(ds);
            return Tensor.FromArray(d.Read<float[]>(), d.Space.Dimensions.Select(v => (int)v).ToArray());
        }
        return (Read("x"), Read("y"));
    }

    internal static void AssertClose(Tensor expected, Tensor actual, float tol = 1e-5f)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        for (int i = 0; i < expected.Size; i++)
            Assert.True(MathF.Abs(expected.Data[i] - actual.Data[i]) <= tol * (1 + MathF.Abs(expected.Data[i])), $"[{i}]: expected {expected.Data[i]}, got {actual.Data[i]}");
    }

    internal static Sequential SmallVgg(int block2Filters = 6) => new("vgg_small",
        new Conv2D(4, (3, 3), padding: "same", activation: "relu", inputShape: (8, 8, 3), name: "block1_conv1"),
        new Conv2D(4, (3, 3), padding: "same", activation: "relu", name: "block1_conv2"),
        new MaxPooling2D((2, 2), name: "block1_pool"),
        new Conv2D(block2Filters, (3, 3), padding: "same", activation: "relu", name: "block2_conv1"),
        new MaxPooling2D((2, 2), name: "block2_pool"));

    private static Model SmallResNet()
    {
        var inputs = new Input(6, 6, 2);
        var a = new Conv2D(3, (3, 3), padding: "same", activation: "relu", name: "conv_a").Call(inputs);
        var b = new Conv2D(3, (3, 3), padding: "same", name: "conv_b").Call(a);
        var s = new Conv2D(3, (3, 3), padding: "same", name: "conv_s").Call(inputs);
        var y = new Add(name: "add").Call(s, b);
        y = new BatchNormalization(name: "bn").Call(y);
        y = new Activation("relu", name: "relu").Call(y);
        y = new GlobalAveragePooling2D(name: "gap").Call(y);
        return new Model(inputs, new Dense(2, activation: "softmax", name: "fc").Call(y));
    }

    [Fact]
    public void PublishedVggLayoutLoadsByWeightNamesOrder()
    {
        var model = SmallVgg();
        model.LoadWeights(Fixture("vgg_notop_small.h5"));
        var (x, y) = Reference("vgg_notop_small_reference.h5");
        AssertClose(y, model.Predict(x));
    }

    [Fact]
    public void Keras2NestedLayoutOfAResidualGraphLoadsInKerasLayerOrder()
    {
        var model = SmallResNet();
        // conv_s has the kernel shape of conv_a: only Keras' order (by depth) puts each array in the right layer.
        Assert.Equal(["conv_a", "conv_s", "conv_b", "add", "bn", "relu", "gap", "fc"], model.Layers.Select(l => l.Name).ToArray());
        model.LoadWeights(Fixture("resnet_keras2.h5"));
        var (x, y) = Reference("resnet_keras2_reference.h5");
        AssertClose(y, model.Predict(x));
    }

    [Fact]
    public void NestedModelEntryPlacesTrainableFirstWeightsByTheirNames()
    {
        var baseInput = new Input(4, 4, 2);
        var h = new BatchNormalization(name: "base_bn").Call(baseInput);
        h = new Conv2D(3, (3, 3), activation: "relu", name: "base_conv").Call(h);
        var convBase = new Model(baseInput, h, name: "base");
        var model = new Sequential(convBase, new Flatten(name: "flatten"), new Dense(1, activation: "sigmoid", name: "head"));
        model.LoadWeights(Fixture("nested_keras2.h5"));
        var (x, y) = Reference("nested_keras2_reference.h5");
        AssertClose(y, model.Predict(x));
    }

    [Fact]
    public void ShapeMismatchNamesTheLayerAndBothShapesAndChangesNothing()
    {
        var model = SmallVgg(block2Filters: 8);
        var before = model.GetWeights();
        var ex = Assert.Throws<ModelFileException>(() => model.LoadWeights(Fixture("vgg_notop_small.h5")));
        Assert.Contains("vgg_notop_small.h5", ex.Message);
        Assert.Contains("block2_conv1", ex.Message);
        Assert.Contains("(3, 3, 4, 8)", ex.Message);
        Assert.Contains("(3, 3, 4, 6)", ex.Message);
        var after = model.GetWeights();
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i].Span.ToArray(), after[i].Span.ToArray());
    }

    [Fact]
    public void LayerCountMismatchListsBothSides()
    {
        var model = new Sequential(new Conv2D(4, (3, 3), padding: "same", inputShape: (8, 8, 3), name: "block1_conv1"));
        var ex = Assert.Throws<ModelFileException>(() => model.LoadWeights(Fixture("vgg_notop_small.h5")));
        Assert.Contains("3 layers (block1_conv1, block1_conv2, block2_conv1)", ex.Message);
        Assert.Contains("byName", ex.Message);
    }

    [Fact]
    public void ByNameLoadsMatchingLayersAndSkipMismatchSkipsTheOthers()
    {
        Rng.SetSeed(5);
        var reference = SmallVgg();
        reference.LoadWeights(Fixture("vgg_notop_small.h5"));
        // Same names, a different block2: by name with skipMismatch, block1 loads and block2_conv1 keeps its own weights.
        var model = new Sequential(
            new Conv2D(4, (3, 3), padding: "same", activation: "relu", inputShape: (8, 8, 3), name: "block1_conv1"),
            new Conv2D(4, (3, 3), padding: "same", activation: "relu", name: "block1_conv2"),
            new Conv2D(5, (3, 3), padding: "same", name: "block2_conv1"),
            new Conv2D(2, (1, 1), name: "new_head"));
        var own = model.GetLayer("block2_conv1").GetWeights();
        var ex = Assert.Throws<ModelFileException>(() => model.LoadWeights(Fixture("vgg_notop_small.h5"), byName: true));
        Assert.Contains("skipMismatch", ex.Message);
        model.LoadWeights(Fixture("vgg_notop_small.h5"), byName: true, skipMismatch: true);
        Assert.Equal(reference.GetLayer("block1_conv1").GetWeights()[0].Span.ToArray(), model.GetLayer("block1_conv1").GetWeights()[0].Span.ToArray());
        Assert.Equal(reference.GetLayer("block1_conv2").GetWeights()[1].Span.ToArray(), model.GetLayer("block1_conv2").GetWeights()[1].Span.ToArray());
        Assert.Equal(own[0].Span.ToArray(), model.GetLayer("block2_conv1").GetWeights()[0].Span.ToArray());
        Assert.Throws<ArgumentException>(() => model.LoadWeights(Fixture("vgg_notop_small.h5"), skipMismatch: true));
    }

    [Fact]
    public void TruncatedFileIsReportedWithItsName()
    {
        using var dir = new Data.TempFolder();
        string path = Path.Combine(dir.Path, "cut.h5");
        var bytes = File.ReadAllBytes(Fixture("vgg_notop_small.h5"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.ThrowsAny<Exception>(() => SmallVgg().LoadWeights(path));
        Assert.IsType<ModelFileException>(ex);
        Assert.Contains("cut.h5", ex.Message);
    }

    [Fact]
    public void SaveWeightsThenLoadWeightsRoundTripsAResidualGraph()
    {
        var a = SmallResNet();
        a.LoadWeights(Fixture("resnet_keras2.h5"));
        using var dir = new Data.TempFolder();
        string path = Path.Combine(dir.Path, "x.weights.h5");
        a.SaveWeights(path);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
        var b = SmallResNet();
        b.LoadWeights(path);
        var (x, _) = Reference("resnet_keras2_reference.h5");
        Assert.Equal(a.Predict(x).Span.ToArray(), b.Predict(x).Span.ToArray());
    }
}
