using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Saving;
using DeepSharp.Tests.Data;
using PureHDF;

namespace DeepSharp.Tests.Saving;

/// <summary>
/// Model.Load on HDF5 models written by Keras itself (tests/fixtures/keras_real/README.md says where each comes from):
/// predictions equal what Keras stored beside the files, or what PyTorch computes from the files' own weights.
/// </summary>
public class KerasRealFilesTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "keras_real", name);

    private static Tensor Read(IH5Group f, string path)
    {
        var d = f.Dataset(path);
        return Tensor.FromArray(d.Read<float[]>(), d.Space.Dimensions.Select(v => (int)v).ToArray());
    }

    [Theory]
    [InlineData("LeakyReLU_0", "dense_input", "leaky_re_lu_1")]
    [InlineData("ReLU_3", "dense_input", "re_lu_1")]
    [InlineData("Softmax_0", "dense_input", "softmax_1")]
    [InlineData("simple_sparse_xent_mlp_keras_2", "dense_1_input", "activation_1")]
    public void Keras2ModelsGiveThePredictionsKerasStored(string name, string input, string output)
    {
        var model = Model.Load(Fixture(name + "_model.h5"));
        using var io = H5File.OpenRead(Fixture(name + "_inputs_and_outputs.h5"));
        var x = Read(io, $"inputs/{input}");
        var expected = Read(io, $"predictions/{output}");
        KerasH5WeightsTests.AssertClose(expected, model.Predict(x));
        Assert.Equal(output, model.Layers[^1].Name);
        Assert.NotNull(model.Loss);   // training_config: compiled as Keras saved it
        Assert.NotNull(model.Optimizer);
    }

    [Fact]
    public void TheTrainingConfigCompilesTheModel()
    {
        var model = Model.Load(Fixture("simple_sparse_xent_mlp_keras_2_model.h5"));
        Assert.IsType<DeepSharp.Optimizers.RMSprop>(model.Optimizer);
        Assert.Equal("sparse_categorical_crossentropy", model.Loss!.Name);
        // It trains on: one epoch on its own stored inputs with made-up labels.
        using var io = H5File.OpenRead(Fixture("simple_sparse_xent_mlp_keras_2_inputs_and_outputs.h5"));
        var x = Read(io, "inputs/dense_1_input");
        var history = model.Fit(x, Tensor.FromArray([0f, 1f, 2f], 3, 1), epochs: 1, verbose: 0);
        Assert.True(double.IsFinite(history["loss"][0]));
    }

    [Theory]
    [InlineData("cnn_batch_norm")]
    [InlineData("wgan_discriminator")]
    [InlineData("mlp_111")]
    public void Keras2ModelsMatchPyTorchOnTheirOwnWeights(string name)
    {
        var model = Model.Load(Fixture(name + ".h5"));
        using var reference = H5File.OpenRead(Fixture(name + "_reference.h5"));
        var x = Read(reference, "x");
        KerasH5WeightsTests.AssertClose(Read(reference, "y"), model.Predict(x), 1e-4f);
    }

    [Fact]
    public void AKeras2BareListConfigKeepsItsLayersAndOptimizer()
    {
        var model = Model.Load(Fixture("cnn_batch_norm.h5"));   // Keras 2.1.3: "config": [layers...], Adam with "lr"
        Assert.IsType<Sequential>(model);
        Assert.Equal(["conv2d_1", "batch_normalization_1", "activation_1", "conv2d_2", "flatten_1", "dense_1"], model.Layers.Select(l => l.Name));
        Assert.Equal([10, 10, 3], model.InputShape);
        Assert.IsType<DeepSharp.Optimizers.Adam>(model.Optimizer);
        Assert.IsType<DeepSharp.Losses.MeanSquaredError>(model.Loss);   // "mse"
    }

    [Fact]
    public void AKeras2FunctionalModelComesBackFunctionalAndCompiled()
    {
        var model = Model.Load(Fixture("mlp_111.h5"));   // tf.keras 2.2.4: "class_name": "Model", [[["dense_315", 0, 0, {}]]] inbound nodes
        Assert.IsNotType<Sequential>(model);
        Assert.Equal("input_112", model.InputName);
        Assert.Equal(11, model.Layers.Count);
        Assert.IsType<DeepSharp.Optimizers.SGD>(model.Optimizer);
    }

    [Fact]
    public void ChannelsFirstIsRefusedNamingTheLayer()
    {
        var e = Assert.Throws<ModelFileException>(() => Model.Load(Fixture("simpleconv2d_model.hdf5")));
        Assert.Contains("simpleconv2d_model.hdf5", e.Message);
        Assert.Contains("conv2d_1", e.Message);
        Assert.Contains("channels_first", e.Message);
    }

    [Fact]
    public void AWeightsOnlyFileIsToldApart()
    {
        var e = Assert.Throws<ModelFileException>(() => Model.Load(KerasH5WeightsTests.Fixture("resnet_keras2.h5")));
        Assert.Contains("weights only", e.Message);
        Assert.Contains("LoadWeights", e.Message);
    }

    [Fact]
    public void DamagedKeras2FilesOnlyRaiseModelFileException()
    {
        var original = File.ReadAllBytes(Fixture("cnn_batch_norm.h5"));
        var r = new System.Random(21);
        using var dir = new TempFolder();
        int refused = 0;
        for (int trial = 0; trial < 60; trial++)
        {
            var bytes = (byte[])original.Clone();
            if (trial % 2 == 0) bytes = bytes[..r.Next(8, bytes.Length)];
            else for (int k = 0; k < 4; k++) bytes[r.Next(bytes.Length)] = (byte)r.Next(256);
            var path = dir.File($"damaged{trial}.h5");
            File.WriteAllBytes(path, bytes);
            try { Model.Load(path); }
            catch (ModelFileException e) { Assert.Contains(path, e.Message); refused++; }
        }
        Assert.True(refused > 0);
    }
}
