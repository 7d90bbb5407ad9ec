using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Layers;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Models;

/// <summary>
/// Layer outputs as symbolic tensors and models with several outputs (the activation model of chapter 5.4.1):
/// each output must equal the layer's own forward pass on what the layer before it produced.
/// </summary>
public class ActivationModelTests
{
    private static Sequential SmallConvnet()
    {
        var model = new Sequential(
            new Conv2D(4, (3, 3), activation: "relu", inputShape: (10, 10, 3)),
            new MaxPooling2D((2, 2)),
            new Conv2D(6, (3, 3), activation: "relu"),
            new Flatten(),
            new Dense(3, activation: "softmax"));
        LayerGradientCheck.Reinitialize(model.Parameters, 7);
        return model;
    }

    /// <summary>Runs layers one after the other by hand (the reference the activation model must match).</summary>
    private static List<float[]> ChainByHand(IEnumerable<Layer> layers, Tensor x)
    {
        var outputs = new List<float[]>();
        foreach (var layer in layers)
        {
            x = layer.Forward([x], training: false).Clone();
            outputs.Add(x.Span.ToArray());
        }
        return outputs;
    }

    [Fact]
    public void SequentialActivationModelReturnsEveryLayersOutput()
    {
        var model = SmallConvnet();
        var layers = model.Layers.ToList();
        var activationModel = new Model(model.Input, outputs: layers.Select(l => l.Output).ToList());
        var x = Random(1, [2, 10, 10, 3], 0f, 1f);

        var activations = activationModel.PredictOutputs(x, batchSize: 1);   // two batches: rows must land in place
        Assert.Equal(layers.Count, activations.Length);
        Assert.Equal(new[] { 2, 8, 8, 4 }, activations[0].ShapeArray);
        Assert.Equal(new[] { 2, 4, 4, 4 }, activations[1].ShapeArray);
        Assert.Equal(new[] { 2, 3 }, activations[^1].ShapeArray);
        for (int sample = 0; sample < 2; sample++)
        {
            var one = new Tensor([1, 10, 10, 3]);
            x.Span.Slice(sample * 300, 300).CopyTo(one.Span);
            var expected = ChainByHand(layers, one);
            for (int k = 0; k < layers.Count; k++)
            {
                int per = activations[k].Size / 2;
                Assert.Equal(expected[k], activations[k].Span.Slice(sample * per, per).ToArray());
            }
        }
        Assert.Equal(Copy(model.Predict(x)), Copy(activations[^1]));
        Assert.Same(layers[0].Output, activationModel.Outputs[0]);
        Assert.Same(model.Input, layers[0].Input);
    }

    [Fact]
    public void FunctionalModelWithAResidualJoinExposesTheJoinAndItsInputs()
    {
        var inputs = new Input(6, 6, 2);
        var conv = new Conv2D(3, (3, 3), padding: "same", activation: "relu");
        var x = conv.Call(inputs);
        var branch = new Conv2D(3, (3, 3), padding: "same");
        var add = new Add();
        var joined = add.Call(branch.Call(x), x);
        var model = new Model(inputs, new Dense(2).Call(new Flatten().Call(joined)));
        LayerGradientCheck.Reinitialize(model.Parameters, 3);

        Assert.Same(joined, model.GetLayer(add.Name).Output);
        Assert.Equal(2, add.Inputs.Count);
        Assert.Same(conv.Output, add.Inputs[1]);
        var ex = Assert.Throws<InvalidOperationException>(() => add.Input);
        Assert.Contains("2 inputs", ex.Message);

        var probe = new Model(model.Input, outputs: [conv.Output, add.Output]);
        var input = Random(2, [1, 6, 6, 2]);
        var outs = probe.PredictOutputs(input);
        var c = conv.Forward([input], false).Clone();
        var b = branch.Forward([c], false).Clone();
        var expected = new float[b.Size];
        for (int i = 0; i < expected.Length; i++) expected[i] = b.Data[i] + c.Data[i];
        Assert.Equal(Copy(c), Copy(outs[0]));
        Assert.Equal(expected, Copy(outs[1]));
    }

    [Fact]
    public void NestedBaseLayersAreReachedThroughTheBase()
    {
        var baseInput = new Input(8, 8, 3);
        var c1 = new Conv2D(4, (3, 3), activation: "relu", name: "block1_conv1");
        var c2 = new Conv2D(5, (3, 3), activation: "relu", name: "block1_conv2");
        var convBase = new Model(baseInput, c2.Call(c1.Call(baseInput)), name: "conv_base");
        var model = new Sequential(convBase, new Flatten(), new Dense(2, activation: "softmax"));
        LayerGradientCheck.Reinitialize(model.Parameters, 4);
        var x = Random(3, [1, 8, 8, 3], 0f, 1f);
        model.Predict(x);

        var inner = (Model)model.GetLayer("conv_base");
        var probe = new Model(inner.Input, outputs: [inner.GetLayer("block1_conv1").Output, inner.GetLayer("block1_conv2").Output]);
        var outs = probe.PredictOutputs(x);
        var expected = ChainByHand([c1, c2], x);
        Assert.Equal(expected[0], Copy(outs[0]));
        Assert.Equal(expected[1], Copy(outs[1]));
        Assert.Same(inner.Output, c2.Output);   // a nested model's Output is its own output, as in Keras

        var unknown = Assert.Throws<ArgumentException>(() => model.GetLayer("block1_conv1"));
        Assert.Contains($"conv_base, {model.Layers[1].Name}, {model.Layers[2].Name}", unknown.Message);
    }

    [Fact]
    public void MultiOutputModelsRefuseWhatNeedsOneOutput()
    {
        var model = SmallConvnet();
        var probe = new Model(model.Input, outputs: [model.Layers[0].Output, model.Layers[^1].Output]);
        var x = Random(1, [1, 10, 10, 3]);
        var predict = Assert.Throws<InvalidOperationException>(() => probe.Predict(x));
        Assert.Contains("PredictOutputs", predict.Message);
        Assert.Contains("2 outputs", predict.Message);
        Assert.Throws<InvalidOperationException>(() => probe.Compile("sgd", "mse"));
    }

    [Fact]
    public void AnUncalledLayerSaysItHasNoOutput()
    {
        var dense = new Dense(3);
        var ex = Assert.Throws<InvalidOperationException>(() => dense.Output);
        Assert.Contains(dense.Name, ex.Message);
    }
}
