using DeepSharp.Initializers;
using DeepSharp.Layers;
using DeepSharp.Losses;
using DeepSharp.Metrics;
using DeepSharp.Models;
using DeepSharp.Optimizers;

namespace DeepSharp.UserCode.Tests;

/// <summary>Keras' string options and their typed counterparts, and Keras' int shorthand for windows.</summary>
public class TypedOptionsTests
{
    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"deepsharp-usercode-{Guid.NewGuid():N}.keras");

    [Fact]
    public void AnIntMeansASquareWindow()
    {
        var conv = new Conv2D(64, 3, strides: 2);
        Assert.Equal((3, 3), conv.KernelSize);
        Assert.Equal((2, 2), conv.Strides);
        var pool = new MaxPooling2D(2);
        Assert.Equal((2, 2), pool.PoolSize);
        Assert.Equal((2, 2), pool.Strides);
        Assert.Equal((3, 1), new AveragePooling2D((3, 1)).PoolSize);
        var model = new Sequential(new Conv2D(8, 3, strides: 2, padding: "same", inputShape: (9, 9, 1)), new MaxPooling2D(2, strides: 1));
        Assert.Equal([5, 5, 8], model.Layers[0].ComputeOutputShape([[9, 9, 1]]));
        Assert.Equal([4, 4, 8], model.OutputShapePerSample);
    }

    [Fact]
    public void PaddingAndActivationTakeNamesOrValues()
    {
        Assert.Equal(Padding.Same, new Conv2D(4, 3, padding: Padding.Same).Padding);
        Assert.Equal(Padding.Same, new Conv2D(4, 3, padding: "SAME").Padding);
        Assert.Equal(Padding.Valid, new Conv2D(4, 3).Padding);
        Assert.Equal(Padding.Same, new MaxPooling2D(2, padding: Padding.Same).Padding);
        Assert.Equal(new Dense(3, activation: "relu").Activation, new Dense(3, activation: Activations.Relu).Activation);
        Assert.Equal(Activations.Softmax, new Activation("softmax").Kind);
        Assert.Equal(Activations.Linear, new Dense(3).Activation);
        Assert.Equal(Activations.Linear, new Dense(3, activation: null).Activation);

        var bad = Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, padding: "full", name: "c1"));
        Assert.Contains("'c1'", bad.Message);
        Assert.Contains("full", bad.Message);
        var badAct = Assert.Throws<ArgumentException>(() => new Dense(3, activation: "mish", name: "d1"));
        Assert.Contains("'d1'", badAct.Message);
        Assert.Contains("mish", badAct.Message);
    }

    [Fact]
    public void InitializersTakeNamesOrObjectsAndSurviveSaving()
    {
        Assert.IsType<HeNormal>(new Conv2D(4, 3, kernelInitializer: "he_normal").KernelInitializer);
        Assert.IsType<HeUniform>(new Dense(4, kernelInitializer: new HeUniform()).KernelInitializer);
        var model = new Sequential(new Dense(4, biasInitializer: new Constant(0.25f), inputDim: 3, name: "d"));
        var dense = (Dense)model.GetLayer("d");
        Assert.All(dense.Bias!.Value.Span.ToArray(), v => Assert.Equal(0.25f, v));
        string path = TempFile();
        try
        {
            model.Save(path);
            var loaded = (Dense)Model.Load(path).GetLayer("d");
            Assert.Equal(0.25f, Assert.IsType<Constant>(loaded.BiasInitializer).Value);
            Assert.IsType<GlorotUniform>(loaded.KernelInitializer);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void BinaryAccuracyUsesItsThreshold()
    {
        var predictions = Tensor.FromArray([0.55f, 0.7f, 0.2f, 0.65f], 4, 1);
        var targets = Tensor.FromArray([1f, 1f, 0f, 0f], 4, 1);
        var standard = new BinaryAccuracy();
        var strict = new BinaryAccuracy(threshold: 0.6f);
        standard.Update(predictions, targets);
        strict.Update(predictions, targets);
        Assert.Equal(0.75, standard.Result, 6);   // 0.55 counts as 1, 0.65 is wrong
        Assert.Equal(0.50, strict.Result, 6);     // 0.55 now counts as 0 (wrong), 0.65 still wrong
    }

    [Fact]
    public void CompileTakesObjectsAndNamesTogetherAndSavesThem()
    {
        var model = new Sequential(new Dense(1, activation: Activations.Sigmoid, inputDim: 2));
        model.Compile(optimizer: new RMSprop(learningRate: 1e-3f), loss: new BinaryCrossentropy(),
            metrics: ["accuracy", new BinaryAccuracy(name: "acc_60", threshold: 0.6f)]);
        Assert.Equal(["accuracy", "acc_60"], model.Metrics.Select(m => m.Name));
        Assert.IsType<BinaryAccuracy>(model.Metrics[0]);   // "accuracy" resolved from the loss
        var x = Tensor.FromArray([0f, 0f, 1f, 1f, 0f, 1f, 1f, 0f], 4, 2);
        var y = Tensor.FromArray([0f, 1f, 1f, 1f], 4, 1);
        var history = model.Fit(x, y, epochs: 1, batchSize: 2, verbose: 0);
        Assert.True(history.Contains("acc_60"));
        string path = TempFile();
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.IsType<RMSprop>(loaded.Optimizer);
            Assert.IsType<BinaryCrossentropy>(loaded.Loss);
            Assert.Equal(["accuracy", "acc_60"], loaded.Metrics.Select(m => m.Name));
            Assert.Equal(0.6f, Assert.IsType<BinaryAccuracy>(loaded.Metrics[1]).Threshold);
        }
        finally { File.Delete(path); }

        var dup = Assert.Throws<ArgumentException>(() => model.Compile("sgd", "binary_crossentropy", ["accuracy", new BinaryAccuracy(name: "accuracy")]));
        Assert.Contains("'accuracy'", dup.Message);
    }

    [Fact]
    public void NamedInputKeepsItsNameInSummaryAndFile()
    {
        var inputs = new Input((6, 6, 1), name: "pixels");
        var x = new Conv2D(2, 3, activation: "relu").Call(inputs);
        var outputs = new Dense(2, activation: "softmax").Call(new Flatten().Call(x));
        var model = new Model(inputs, outputs);
        Assert.Equal("pixels", model.InputName);
        Assert.Contains("pixels (InputLayer)", model.SummaryText());
        string path = TempFile();
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal("pixels", loaded.InputName);
            Assert.Contains("pixels (InputLayer)", loaded.SummaryText());
        }
        finally { File.Delete(path); }
        var plain = new Input(3);
        Assert.Equal("input_layer", new Model(plain, new Dense(1).Call(plain)).InputName);
    }
}
