using System.IO.Compression;
using System.Text.Json.Nodes;
using DeepSharp.Models;
using DeepSharp.Tests.Data;
using PureHDF;
using static DeepSharp.Tests.Saving.SavingFixtures;

namespace DeepSharp.Tests.Saving;

/// <summary>The saved file follows Keras 3's .keras layout: a zip of metadata.json, config.json and model.weights.h5.</summary>
public class KerasLayoutTests
{
    [Fact]
    public void KerasFile_IsAZip_WithKerasConfig_AndWeightsInKerasH5Layout()
    {
        using var dir = new TempFolder();
        var model = MnistModel();
        var x = RandomImages(11, 4, 28, 28, 1);
        var y = RandomOneHot(12, 4, 10);
        model.TrainStep(x, y);
        string path = dir.File("mnist.keras");
        model.Save(path);

        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(["metadata.json", "config.json", "model.weights.h5"], zip.Entries.Select(e => e.FullName));
        var metadata = ReadJson(zip, "metadata.json");
        Assert.StartsWith("3.", metadata["keras_version"]!.GetValue<string>());

        var config = ReadJson(zip, "config.json");
        Assert.Equal("keras", config["module"]!.GetValue<string>());
        Assert.Equal("Sequential", config["class_name"]!.GetValue<string>());
        var layers = config["config"]!["layers"]!.AsArray();
        Assert.Equal(9, layers.Count);   // InputLayer + 8
        Assert.Equal("InputLayer", layers[0]!["class_name"]!.GetValue<string>());
        Assert.Equal("[null,28,28,1]", layers[0]!["config"]!["batch_shape"]!.ToJsonString());
        var conv = layers[1]!;
        Assert.Equal("keras.layers", conv["module"]!.GetValue<string>());
        Assert.Equal("Conv2D", conv["class_name"]!.GetValue<string>());
        Assert.Equal(32, conv["config"]!["filters"]!.GetValue<int>());
        Assert.Equal("[3,3]", conv["config"]!["kernel_size"]!.ToJsonString());
        Assert.Equal("relu", conv["config"]!["activation"]!.GetValue<string>());
        Assert.Equal("GlorotUniform", conv["config"]!["kernel_initializer"]!["class_name"]!.GetValue<string>());
        Assert.Equal("[null,28,28,1]", conv["build_config"]!["input_shape"]!.ToJsonString());
        Assert.Equal("[null,13,13,32]", layers[3]!["build_config"]!["input_shape"]!.ToJsonString());
        var compile = config["compile_config"]!;
        Assert.Equal("RMSprop", compile["optimizer"]!["class_name"]!.GetValue<string>());
        Assert.Equal(0.001, compile["optimizer"]!["config"]!["learning_rate"]!.GetValue<double>(), 6);
        Assert.Equal("categorical_crossentropy", compile["loss"]!.GetValue<string>());
        Assert.Equal("[\"accuracy\"]", compile["metrics"]!.ToJsonString());

        using var h5 = H5File.Open(new MemoryStream(ReadBytes(zip, "model.weights.h5")), leaveOpen: false);
        AssertDims(h5, "layers/conv2d/vars/0", 3, 3, 1, 32);
        AssertDims(h5, "layers/conv2d/vars/1", 32);
        AssertDims(h5, "layers/conv2d_1/vars/0", 3, 3, 32, 64);
        AssertDims(h5, "layers/conv2d_2/vars/0", 3, 3, 64, 64);
        AssertDims(h5, "layers/dense/vars/0", 576, 64);
        AssertDims(h5, "layers/dense_1/vars/1", 10);
        Assert.Empty(h5.Group("layers/max_pooling2d_1/vars").Children());
        Assert.Empty(h5.Group("vars").Children());
        float[] kernel = h5.Dataset("layers/dense_1/vars/0").Read<float[]>();
        AssertBitIdentical(model.Layers[^1].Parameters[0].Value.Span, kernel, "dense_1 kernel in the file");

        // Optimizer: iterations, learning rate, then RMSprop's velocity for each of the 10 trainable weights.
        var opt = h5.Group("optimizer/vars");
        Assert.Equal(12, opt.Children().Count());
        Assert.Equal(1L, opt.Dataset("0").Read<long>());
        Assert.Equal(1e-3f, opt.Dataset("1").Read<float>());
        AssertDims(h5, "optimizer/vars/2", 3, 3, 1, 32);
        AssertDims(h5, "optimizer/vars/11", 10);
        float[] velocity = opt.Dataset("11").Read<float[]>();
        Assert.Contains(velocity, v => v > 0);
    }

    [Fact]
    public void FunctionalConfig_ListsInboundNodes_AndNestedModelsKeepTheirOwnLayers()
    {
        using var dir = new TempFolder();
        string path = dir.File("residual.keras");
        ResidualModel().Save(path);
        using (var zip = ZipFile.OpenRead(path))
        {
            var config = ReadJson(zip, "config.json");
            Assert.Equal("Functional", config["class_name"]!.GetValue<string>());
            var layers = config["config"]!["layers"]!.AsArray();
            Assert.Equal("InputLayer", layers[0]!["class_name"]!.GetValue<string>());
            Assert.Empty(layers[0]!["inbound_nodes"]!.AsArray());
            var first = layers[1]!["inbound_nodes"]![0]!["args"]![0]!;
            Assert.Equal("__keras_tensor__", first["class_name"]!.GetValue<string>());
            Assert.Equal(layers[0]!["name"]!.GetValue<string>(), first["config"]!["keras_history"]![0]!.GetValue<string>());
            var add = layers.Single(l => l!["class_name"]!.GetValue<string>() == "Add")!;
            var addArgs = add["inbound_nodes"]![0]!["args"]![0]!.AsArray();
            Assert.Equal(2, addArgs.Count);
            string last = layers[^1]!["name"]!.GetValue<string>();
            Assert.Equal($"[[\"{last}\",0,0]]", config["config"]!["output_layers"]!.ToJsonString());
            using var h5 = H5File.Open(new MemoryStream(ReadBytes(zip, "model.weights.h5")), leaveOpen: false);
            Assert.True(h5.LinkExists("layers/input_layer/vars"));
            AssertDims(h5, "layers/batch_normalization_1/vars/3", 8);   // moving_variance of the second BatchNormalization
            Assert.Equal(2 + 2 * 10, h5.Group("optimizer/vars").Children().Count());   // Adam: momentum and velocity of 10 trainable weights
        }

        string nested = dir.File("nested.keras");
        NestedModel().Save(nested);
        using (var zip = ZipFile.OpenRead(nested))
        using (var h5 = H5File.Open(new MemoryStream(ReadBytes(zip, "model.weights.h5")), leaveOpen: false))
        {
            AssertDims(h5, "layers/functional/layers/conv2d/vars/0", 3, 3, 2, 4);
            AssertDims(h5, "layers/functional/layers/conv2d_1/vars/0", 3, 3, 4, 4);
            AssertDims(h5, "layers/dense/vars/0", 144, 1);
            var inner = ReadJson(zip, "config.json")["config"]!["layers"]![1]!;
            Assert.Equal("Functional", inner["class_name"]!.GetValue<string>());
            Assert.False(inner["config"]!["layers"]![1]!["config"]!["trainable"]!.GetValue<bool>());
        }
    }

    [Fact]
    public void WeightsFile_IsPlainHdf5_InKerasWeightsLayout()
    {
        using var dir = new TempFolder();
        string path = dir.File("mnist.weights.h5");
        var model = MnistModel();
        model.SaveWeights(path);
        using var h5 = H5File.OpenRead(path);
        AssertDims(h5, "layers/conv2d/vars/0", 3, 3, 1, 32);
        AssertDims(h5, "layers/dense_1/vars/0", 64, 10);
        Assert.True(h5.LinkExists("optimizer/vars/0"));
    }

    private static void AssertDims(IH5Group file, string dataset, params int[] dims)
    {
        Assert.True(file.LinkExists(dataset), $"{dataset} is missing");
        var ds = file.Dataset(dataset);
        Assert.Equal(dims.Select(d => (ulong)d), ds.Space.Dimensions);
        Assert.Equal(H5DataTypeClass.FloatingPoint, ds.Type.Class);
        Assert.Equal(4, ds.Type.Size);
    }

    private static JsonNode ReadJson(ZipArchive zip, string name) =>
        JsonNode.Parse(System.Text.Encoding.UTF8.GetString(ReadBytes(zip, name)))!;

    private static byte[] ReadBytes(ZipArchive zip, string name)
    {
        using var s = zip.GetEntry(name)!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
