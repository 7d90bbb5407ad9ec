using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Tests.Models;

/// <summary>
/// The public calls DeepSharp.Vision's visualizations use instead of the core's internals: layers of nested models
/// (<see cref="Model.FlattenLayers"/>, <see cref="Model.GetLayer(string, bool)"/>), their activations
/// (<see cref="Model.PredictOutputs(Tensor, IReadOnlyList{Layer}, int)"/>) and the single-image rule
/// (<see cref="Model.AsInputBatch"/>).
/// </summary>
public class NestedLayerApiTests
{
    private static (Model Model, Sequential Base) Build()
    {
        var convBase = new Sequential("nl_base",
            new Conv2D(4, (3, 3), activation: "relu", inputShape: (8, 8, 2), name: "nl_conv1"),
            new MaxPooling2D((2, 2), name: "nl_pool"));
        var inputs = new Input(8, 8, 2);
        var x = convBase.Call(inputs);
        x = new Conv2D(3, (2, 2), name: "nl_conv2").Call(x);
        var model = new Model(inputs, new Dense(2, activation: "softmax", name: "nl_out").Call(new Flatten(name: "nl_flat").Call(x)));
        return (model, convBase);
    }

    [Fact]
    public void NestedLayersAreListedFoundAndTheirActivationsMatchRunningThemByHand()
    {
        var (model, convBase) = Build();
        Assert.Equal(["nl_conv1", "nl_pool", "nl_conv2", "nl_flat", "nl_out"], model.FlattenLayers().Select(l => l.Name));
        var conv1 = model.GetLayer("nl_conv1", nested: true);
        Assert.Same(convBase.Layers[0], conv1);
        Assert.Same(convBase, model.GetLayer("nl_base", nested: true));
        var e = Assert.Throws<ArgumentException>(() => model.GetLayer("nl_conv1"));
        Assert.Contains("nl_conv1", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.GetLayer("nope", nested: true));
        Assert.Contains("nl_base/nl_conv1", e.Message);   // the message lists the nested layers too

        var x = new Tensor(3, 8, 8, 2);
        Rng.Uniform(new System.Random(1), x.Span, -1f, 1f);
        var outs = model.PredictOutputs(x, [conv1, model.GetLayer("nl_conv2"), model.GetLayer("nl_out")], batchSize: 2);
        var pooled = convBase.Predict(x);
        var conv1ByHand = new Model(convBase.Input, convBase.Layers[0].Output).Predict(x);
        Assert.Equal(conv1ByHand.Span.ToArray(), outs[0].Span.ToArray());
        Assert.Equal([3, 6, 6, 4], outs[0].ShapeArray);
        Assert.Equal([3, 2, 2, 3], outs[1].ShapeArray);
        Assert.Equal(model.Predict(x).Span.ToArray(), outs[2].Span.ToArray());
        Assert.Equal([3, 3, 3, 4], pooled.ShapeArray);
    }

    [Fact]
    public void AsInputBatchMakesOneImageABatchOfOneAndNamesTheShapesOtherwise()
    {
        var (model, _) = Build();
        Assert.Equal([1, 8, 8, 2], model.AsInputBatch(new Tensor(8, 8, 2)).ShapeArray);
        Assert.Equal([5, 8, 8, 2], model.AsInputBatch(new Tensor(5, 8, 8, 2)).ShapeArray);
        var e = Assert.Throws<ArgumentException>(() => model.AsInputBatch(new Tensor(2, 8, 8, 3)));
        Assert.Contains("(None, 8, 8, 2)", e.Message);
        Assert.Contains("(2, 8, 8, 3)", e.Message);
    }
}
