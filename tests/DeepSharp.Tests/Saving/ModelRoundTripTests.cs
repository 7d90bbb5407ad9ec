using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Tests.Data;
using static DeepSharp.Tests.Saving.SavingFixtures;

namespace DeepSharp.Tests.Saving;

public class ModelRoundTripTests
{
    [Fact]
    public void MnistModel_RoundTrip_PredictsBitIdentically_AndResumesTraining()
    {
        using var dir = new TempFolder();
        var model = MnistModel();
        var x = RandomImages(1, 8, 28, 28, 1);
        var y = RandomOneHot(2, 8, 10);
        model.TrainStep(x, y);
        model.TrainStep(x, y);
        string path = dir.File("mnist.keras");

        model.Save(path);
        var loaded = Model.Load(path);

        Assert.IsType<Sequential>(loaded);
        Assert.Equal(model.Name, loaded.Name);
        Assert.Equal(model.Layers.Select(l => (l.Name, l.ClassName)), loaded.Layers.Select(l => (l.Name, l.ClassName)));
        Assert.Equal(model.CountParams(), loaded.CountParams());
        AssertSameWeights(model, loaded);
        AssertBitIdentical(model.Predict(x).Span, loaded.Predict(x).Span, "predictions");

        var opt = Assert.IsType<RMSprop>(loaded.Optimizer);
        Assert.Equal(2, opt.Iterations);
        Assert.Equal(model.Optimizer!.LearningRate, opt.LearningRate);
        Assert.Equal("categorical_crossentropy", loaded.Loss!.Name);
        Assert.Equal(["accuracy"], loaded.Metrics.Select(m => m.Name));

        // Same optimizer state: one more step on the same batch moves both models to the same weights.
        var x2 = RandomImages(3, 8, 28, 28, 1);
        Assert.Equal(model.TrainStep(x2, y), loaded.TrainStep(x2, y));
        AssertSameWeights(model, loaded);
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void ResidualFunctionalModel_RoundTrip_KeepsGraphWeightsAndAdamState()
    {
        using var dir = new TempFolder();
        var model = ResidualModel();
        var x = RandomImages(4, 6, 12, 12, 3);
        var y = RandomOneHot(5, 6, 3);
        for (int i = 0; i < 3; i++) model.TrainStep(x, y);
        string path = dir.File("residual.keras");

        model.Save(path);
        var loaded = Model.Load(path);

        Assert.IsNotType<Sequential>(loaded);
        Assert.Equal(model.Layers.Select(l => (l.Name, l.ClassName)), loaded.Layers.Select(l => (l.Name, l.ClassName)));
        // The Add reads the same two layers in the same order.
        var addNode = model.Nodes.First(n => n.Layer is Add);
        var loadedAdd = loaded.Nodes.First(n => n.Layer is Add);
        Assert.Equal(addNode.Inputs.Select(i => model.Nodes[i].Layer!.Name), loadedAdd.Inputs.Select(i => loaded.Nodes[i].Layer!.Name));
        var bn = Assert.IsType<BatchNormalization>(loaded.Layers.Where(l => l is BatchNormalization).Last());
        Assert.Equal(0.9f, bn.Momentum);
        Assert.Equal(0.5f, Assert.IsType<Dropout>(loaded.Layers.Single(l => l is Dropout)).Rate);
        Assert.IsType<DeepSharp.Initializers.HeNormal>(Assert.IsType<Conv2D>(loaded.Layers[0]).KernelInitializer);
        AssertSameWeights(model, loaded);   // includes the moving mean and variance that training changed
        Assert.NotEqual(0f, model.Parameters.First(p => p.Name == "moving_mean").Value.Span[0]);
        AssertBitIdentical(model.Predict(x).Span, loaded.Predict(x).Span, "predictions");

        var adam = Assert.IsType<Adam>(loaded.Optimizer);
        Assert.Equal(3, adam.Iterations);
        Assert.Equal(3e-3f, adam.LearningRate);
        foreach (var (p, q) in model.Parameters.Zip(loaded.Parameters).Where(t => t.First.Trainable))
            for (int k = 0; k < 2; k++)
                AssertBitIdentical(model.Optimizer!.Slots(p)[k], adam.Slots(q)[k], $"Adam slot {k} of {p.Path}");
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void NestedModel_RoundTrip_KeepsTrainableFlags_AndResumesTraining()
    {
        using var dir = new TempFolder();
        var model = NestedModel();
        var x = RandomImages(6, 5, 10, 10, 2);
        var y = RandomBinary(7, 5);
        model.TrainStep(x, y);
        model.TrainStep(x, y);
        string path = dir.File("nested.keras");

        model.Save(path);
        var loaded = Model.Load(path);

        var convBase = Assert.IsType<Model>(loaded.Layers[0], exactMatch: true);
        Assert.False(convBase.Layers[0].Trainable);
        Assert.True(convBase.Layers[1].Trainable);
        Assert.Equal(model.Parameters.Count(p => p.Trainable), loaded.Parameters.Count(p => p.Trainable));
        AssertBitIdentical(model.Predict(x).Span, loaded.Predict(x).Span, "predictions");
        Assert.IsType<SGD>(loaded.Optimizer);

        model.TrainStep(x, y);
        loaded.TrainStep(x, y);
        AssertSameWeights(model, loaded);
    }

    [Fact]
    public void BaseCalledWithTrainingFalse_RoundTrip_StaysInInferenceMode()
    {
        // Keras' transfer-learning pattern: x = base(inputs, training=False); the flag is saved as the call's kwargs.
        using var dir = new TempFolder();
        var baseInput = new Input(6, 6, 2);
        var h = new Conv2D(3, (3, 3), name: "base_conv").Call(baseInput);
        h = new BatchNormalization(name: "base_bn").Call(h);
        var convBase = new Model(baseInput, h, name: "base");
        var inputs = new Input(6, 6, 2);
        var x = convBase.Call(inputs, training: false);
        var model = new Model(inputs, new Dense(1, activation: "sigmoid", name: "head").Call(new Flatten().Call(x)));
        model.Compile(optimizer: "sgd", loss: "binary_crossentropy");
        string path = dir.File("base.keras");
        model.Save(path);
        var loaded = Model.Load(path);

        Assert.Contains(loaded.Nodes, n => n.Layer is Model && n.Training == false);
        // Inference mode during training: the nested batch norm's moving statistics do not move.
        var bn = ((Model)loaded.Layers.First(l => l is Model)).Layers.OfType<BatchNormalization>().Single();
        var movingMean = bn.Parameters.First(p => p.Name.Contains("moving_mean")).Value.Span.ToArray();
        loaded.TrainStep(RandomImages(8, 4, 6, 6, 2), RandomBinary(9, 4));
        Assert.Equal(movingMean, bn.Parameters.First(p => p.Name.Contains("moving_mean")).Value.Span.ToArray());
    }

    [Fact]
    public void UncompiledModel_RoundTrip_LoadsUncompiled()
    {
        using var dir = new TempFolder();
        var model = new Sequential(new Dense(4, activation: "relu", inputDim: 3), new Dense(2));
        string path = dir.File("plain.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Null(loaded.Optimizer);
        var x = RandomImages(8, 4, 3);
        AssertBitIdentical(model.Predict(x).Span, loaded.Predict(x).Span, "predictions");
    }

    [Fact]
    public void Save_OverwritesAnExistingFile_WithoutLeavingTemporaryFiles()
    {
        using var dir = new TempFolder();
        string path = dir.File("model.keras");
        File.WriteAllText(path, "old contents");
        var model = MnistModel();
        model.Save(path);
        model.Save(path);
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
        Assert.Equal(model.CountParams(), Model.Load(path).CountParams());
    }

    [Fact]
    public void FailedSave_RemovesItsTemporaryFile()
    {
        using var dir = new TempFolder();
        string path = dir.File("taken.keras");
        Directory.CreateDirectory(path);   // the final rename cannot replace a folder
        Assert.ThrowsAny<IOException>(() => MnistModel().Save(path));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void SaveWeights_LoadWeights_IntoAFreshModel_PredictsIdentically()
    {
        using var dir = new TempFolder();
        var model = ResidualModel();
        var x = RandomImages(9, 4, 12, 12, 3);
        model.TrainStep(x, RandomOneHot(10, 4, 3));
        string path = dir.File("residual.weights.h5");
        model.SaveWeights(path);

        var fresh = ResidualModel();   // other names, other random weights, same architecture
        Assert.NotEqual(model.Predict(x).Span.ToArray(), fresh.Predict(x).Span.ToArray());
        fresh.LoadWeights(path);
        AssertBitIdentical(model.Predict(x).Span, fresh.Predict(x).Span, "predictions");
        Assert.Equal(1, fresh.Optimizer!.Iterations);
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));

        // The weights inside a .keras file load the same way.
        string keras = dir.File("residual.keras");
        model.Save(keras);
        var third = ResidualModel();
        third.LoadWeights(keras);
        AssertBitIdentical(model.Predict(x).Span, third.Predict(x).Span, "predictions from .keras weights");
    }
}
