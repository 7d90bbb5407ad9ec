using DeepSharp.Gradients;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Layers;

namespace DeepSharp.Tests.Models;

/// <summary>
/// One rule for a single image (issue 26): Predict, PredictOutputs and Gradient take an (h, w, c) image as a batch of
/// one, with the same numbers as the (1, h, w, c) batch; anything else gets the one input-shape message.
/// </summary>
public class SingleImageTests
{
    private static Sequential Model()
    {
        var model = new Sequential(
            new Conv2D(4, (3, 3), activation: "relu", inputShape: (8, 8, 3)),
            new MaxPooling2D((2, 2)),
            new Flatten(),
            new Dense(3, activation: "softmax"));
        LayerGradientCheck.Reinitialize(model.Parameters, 3);
        return model;
    }

    private static Tensor Image()
    {
        var x = new Tensor(8, 8, 3);
        for (int i = 0; i < x.Size; i++) x.Data[i] = (i * 37 % 101) / 100f;
        return x;
    }

    [Fact]
    public void AnImageIsABatchOfOne_Everywhere()
    {
        var model = Model();
        var image = Image();
        var batch = image.Reshape(1, 8, 8, 3);

        var p1 = model.Predict(image);
        Assert.Equal([1, 3], p1.ShapeArray);
        Assert.Equal(model.Predict(batch).Data, p1.Data);

        var activations = new Model(model.Input, outputs: [model.Layers[0].Output, model.Layers[1].Output]);
        var a1 = activations.PredictOutputs(image);
        var ab = activations.PredictOutputs(batch);
        Assert.Equal([1, 6, 6, 4], a1[0].ShapeArray);
        Assert.Equal(ab[1].Data, a1[1].Data);

        var g1 = model.Gradient(image, Objective.ClassScore(2), withRespectTo: model.Layers[0]);
        var gb = model.Gradient(batch, Objective.ClassScore(2), withRespectTo: model.Layers[0]);
        Assert.Equal(gb.Gradient.Data, g1.Gradient.Data);
        Assert.Equal(gb.Objective, g1.Objective);
        Assert.Equal([1, 8, 8, 3], model.Gradient(image, Objective.ChannelMean(model.Layers[0], 1)).Gradient.ShapeArray);
    }

    [Fact]
    public void AWrongShape_GetsTheSameMessageFromEachCall()
    {
        var model = Model();
        var wrong = new Tensor(7, 8, 3);
        var messages = new[]
        {
            Assert.Throws<ArgumentException>(() => model.Predict(wrong)).Message,
            Assert.Throws<ArgumentException>(() => model.PredictOutputs(wrong)).Message,
            Assert.Throws<ArgumentException>(() => model.Gradient(wrong, Objective.ClassScore(0))).Message,
        };
        Assert.All(messages, m => Assert.Equal(messages[0], m));
        Assert.Contains("expects input of shape (None, 8, 8, 3)", messages[0]);
        Assert.Contains("or one sample of shape (8, 8, 3) as a batch of one", messages[0]);
        Assert.Contains("(7, 8, 3)", messages[0]);
    }

    [Fact]
    public void NameScope_GivesFreshKerasNames_AndLeavesTheOuterCountersAlone()
    {
        string outer1 = new Dense(2).Name;
        using (Layer.NameScope())
        {
            Assert.Equal("dense", new Dense(2).Name);
            Assert.Equal("dense_1", new Dense(2).Name);
            using (Layer.NameScope()) Assert.Equal("dense", new Dense(2).Name);
            Assert.Equal("dense_2", new Dense(2).Name);
        }
        string outer2 = new Dense(2).Name;
        Assert.NotEqual(outer1, outer2);
    }
}
