using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Data;
using static DeepSharp.Tests.GradientCheck;
using static DeepSharp.Tests.Saving.SavingFixtures;

namespace DeepSharp.Tests.Layers;

/// <summary>
/// DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, UpSampling2D, LayerNormalization and SpatialDropout2D (and the
/// Keras 3 arguments of GlobalMaxPooling2D): finite-difference gradients, Keras' names, shapes and parameter counts,
/// .keras round trips, buffer reuse and the errors for bad arguments. PyTorch goldens: Ops/TorchGoldenKeras3LayerTests.
/// </summary>
public class Keras3LayerTests
{
    [Theory]
    [InlineData(1, "valid", 1, "linear")]
    [InlineData(2, "same", 2, "tanh")]
    [InlineData(2, "valid", 1, "sigmoid")]
    public void DepthwiseConv2DGradients(int stride, string padding, int multiplier, string activation)
    {
        var layer = new DepthwiseConv2D((3, 2), (stride, stride), padding, multiplier, activation);
        LayerGradientCheck.Check(layer, [Random(1, [2, 5, 6, 3])]);
    }

    [Theory]
    [InlineData(1, "same", 1)]
    [InlineData(2, "valid", 2)]
    public void SeparableConv2DGradients(int stride, string padding, int multiplier)
    {
        var layer = new SeparableConv2D(4, 3, stride, padding, multiplier, activation: "tanh");
        LayerGradientCheck.Check(layer, [Random(2, [2, 6, 5, 3])]);
    }

    [Theory]
    [InlineData(1, "valid", -1)]
    [InlineData(2, "same", -1)]
    [InlineData(2, "valid", 1)]
    [InlineData(3, "same", 2)]
    public void Conv2DTransposeGradients(int stride, string padding, int outputPadding)
    {
        var layer = new Conv2DTranspose(3, (3, 2), stride, padding, outputPadding < 0 ? null : outputPadding, activation: "tanh");
        LayerGradientCheck.Check(layer, [Random(3, [2, 4, 3, 2])]);
    }

    [Theory]
    [InlineData("nearest")]
    [InlineData("bilinear")]
    public void UpSampling2DGradients(string interpolation) =>
        LayerGradientCheck.Check(new UpSampling2D((2, 3), interpolation), [Random(4, [2, 3, 4, 2])]);

    [Fact]
    public void LayerNormalizationGradients()
    {
        LayerGradientCheck.Check(new LayerNormalization(), [Random(5, [2, 3, 2, 5])]);
        LayerGradientCheck.Check(new LayerNormalization(axis: [2, 3], center: false), [Random(6, [2, 3, 2, 5])]);
        LayerGradientCheck.Check(new LayerNormalization(scale: false), [Random(7, [3, 6])]);
    }

    [Fact]
    public void SpatialDropout2DDropsWholeChannelsInTrainingOnly()
    {
        var layer = new SpatialDropout2D(0.5, seed: 3);
        layer.Call(new Input(4, 5, 16));
        var x = Random(8, [6, 4, 5, 16], low: 1f, high: 2f);   // no zeros of its own
        Assert.Same(x, layer.Forward(x, training: false));
        var y = layer.Forward(x, training: true);
        int dropped = 0;
        for (int n = 0; n < 6; n++)
            for (int c = 0; c < 16; c++)
            {
                // One draw per (image, channel): every pixel of a channel is dropped, or every one is scaled by 2.
                var ratios = Enumerable.Range(0, 20).Select(p => y.Data[(n * 20 + p) * 16 + c] / x.Data[(n * 20 + p) * 16 + c]).Distinct().ToArray();
                Assert.True(ratios.Length == 1 && (ratios[0] == 0f || ratios[0] == 2f), $"image {n}, channel {c}: ratios {string.Join(", ", ratios)}");
                if (ratios[0] == 0f) dropped++;
            }
        Assert.InRange(dropped, 30, 66);   // 96 channels, rate 0.5: 48 ± 3.7σ
        var dy = Random(9, y.ShapeArray);
        layer.Backward(dy, needInputGradients: true);
        var dx = layer.InputGradient!;
        for (int i = 0; i < dx.Size; i++) Assert.Equal(dy.Data[i] * (y.Data[i] / x.Data[i]), dx.Data[i], 5);
        LayerGradientCheck.Check(new SpatialDropout2D(0.3, seed: 1), [Random(10, [2, 3, 3, 4])], training: false);
    }

    private static Model AllLayers()
    {
        var inputs = new Input(8, 8, 3);
        var x = new SeparableConv2D(8, 3, padding: "same", activation: "relu").Call(inputs);
        x = new DepthwiseConv2D(3, strides: 2, padding: "same", depthMultiplier: 2).Call(x);
        x = new LayerNormalization().Call(x);
        x = new SpatialDropout2D(0.25, seed: 2).Call(x);
        x = new Conv2DTranspose(4, 3, strides: 2, padding: "same", activation: "tanh").Call(x);
        x = new UpSampling2D(2, interpolation: "bilinear").Call(x);
        var pooled = new GlobalMaxPooling2D(keepdims: true).Call(x);
        var gated = new Multiply().Call(new UpSampling2D(16).Call(pooled), x);
        x = new Concatenate().Call(gated, x);
        x = new GlobalMaxPooling2D().Call(x);
        var model = new Model(inputs, new Dense(2, activation: "softmax").Call(x));
        LayerGradientCheck.Reinitialize(model.Parameters, 7);
        return model;
    }

    [Fact]
    public void KerasNamesShapesAndParameterCounts()
    {
        using var scope = Layer.NameScope();
        var model = AllLayers();
        var names = model.Layers.Select(l => l.Name).ToArray();
        Assert.Equal(["separable_conv2d", "depthwise_conv2d", "layer_normalization", "spatial_dropout2d", "conv2d_transpose",
            "up_sampling2d", "global_max_pooling2d", "up_sampling2d_1", "multiply", "concatenate", "global_max_pooling2d_1", "dense"], names);
        var shapes = model.Layers.Select(l => string.Join("x", model.Nodes[model.NodeOf(l)].Shape)).ToArray();
        Assert.Equal(["8x8x8", "4x4x16", "4x4x16", "4x4x16", "8x8x4", "16x16x4", "1x1x4", "16x16x4", "16x16x4", "16x16x8", "8", "2"], shapes);
        // Keras' counts: depthwise 3·3·3·1 + pointwise 3·8 + bias 8; 3·3·8·2 + 16; gamma and beta 16 each; 3·3·4·16 + 4; dense 8·2 + 2.
        Assert.Equal([27L + 24 + 8, 144 + 16, 32, 0, 576 + 4, 0, 0, 0, 0, 0, 0, 18], model.Layers.Select(l => l.CountParams()).ToArray());
        Assert.Contains("Total params: 849", model.SummaryText());
        Assert.Equal(["depthwise_kernel", "pointwise_kernel", "bias"], model.Layers[0].Parameters.Select(p => p.Name));
        Assert.Equal([3, 3, 4, 16], ((Conv2DTranspose)model.Layers[4]).Kernel.Value.ShapeArray);   // (kh, kw, filters, in)
    }

    [Fact]
    public void KerasFileRoundTripKeepsConfigsWeightsAndPredictions()
    {
        using var dir = new TempFolder();
        var model = AllLayers();
        model.Compile("adam", "categorical_crossentropy");
        var x = RandomImages(1, 3, 8, 8, 3);
        model.TrainStep(x, RandomOneHot(2, 3, 2));
        string path = dir.File("keras3.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Layers.Select(l => (l.Name, l.ClassName)), loaded.Layers.Select(l => (l.Name, l.ClassName)));
        for (int i = 0; i < model.Layers.Count; i++)
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(model.Layers[i].GetConfig()), System.Text.Json.JsonSerializer.Serialize(loaded.Layers[i].GetConfig()));
        AssertSameWeights(model, loaded);
        AssertBitIdentical(model.Predict(x).Span, loaded.Predict(x).Span, "predictions");
        var t = (Conv2DTranspose)loaded.Layers[4];
        Assert.Equal((2, 2), t.Strides);
        Assert.Null(t.OutputPadding);
        Assert.Equal([3], ((LayerNormalization)loaded.Layers[2]).Axis);   // -1 resolved, as Keras writes it
        Assert.True(((GlobalMaxPooling2D)loaded.Layers[6]).Keepdims);
        Assert.Equal("bilinear", ((UpSampling2D)loaded.Layers[5]).Interpolation);
    }

    [Fact]
    public void ASmallerSecondBatchGivesTheSameResultsAsAFreshModel()
    {
        var (used, fresh) = (AllLayers(), AllLayers());
        used.RunForward(Random(1, [5, 8, 8, 3]), training: false);
        used.Graph.Backward(Random(2, [5, 2]), used.Nodes.Count - 1, needInputGradient: true, forceNode: -1);
        var (small, dy) = (Random(3, [2, 8, 8, 3]), Random(4, [2, 2]));
        var results = new List<float[]>();
        foreach (var model in new[] { used, fresh })
        {
            results.Add(Copy(model.RunForward(small, training: false)));
            model.Graph.Backward(dy, model.Nodes.Count - 1, needInputGradient: true, forceNode: -1);
            results.Add(Copy(model.Graph.GradientAt(0)!));
            foreach (var p in model.Parameters.Where(p => p.Trainable)) results.Add(Copy(p.Grad));
        }
        int half = results.Count / 2;
        for (int i = 0; i < half; i++) Assert.Equal(results[half + i], results[i]);
    }

    [Fact]
    public void BadArgumentsNameTheLayerAndWhatWasExpected()
    {
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2DTranspose(4, 3, strides: 2, outputPadding: 2, name: "up"));
        Assert.Contains("'up'", e1.Message);
        Assert.Contains("smaller than the strides", e1.Message);
        var e2 = Assert.Throws<NotSupportedException>(() => new LayerNormalization(axis: 1, name: "ln").Call(new Input(4, 4, 3)));
        Assert.Contains("'ln'", e2.Message);
        Assert.Contains("last axes", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => new UpSampling2D(2, interpolation: "bicubic", name: "us"));
        Assert.Contains("\"nearest\" or \"bilinear\"", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => new DepthwiseConv2D(5, name: "dw").Call(new Input(3, 3, 2)));
        Assert.Contains("'dw'", e4.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeparableConv2D(4, 3, depthMultiplier: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialDropout2D(1.0));
    }
}
