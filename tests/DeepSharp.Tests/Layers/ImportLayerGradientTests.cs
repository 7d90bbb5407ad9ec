using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Data;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Layers;

/// <summary>
/// The layers ONNX import brought (Concatenate, Slice, Permute, Reshape, Subtract, Multiply, ElementwiseConstant, ReLU,
/// LeakyReLU, Softmax, explicit pooling padding, GlobalAveragePooling2D keepdims) against finite differences, and their
/// configs through a .keras round trip.
/// </summary>
public class ImportLayerGradientTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public void Concatenate(int axis) =>
        LayerGradientCheck.Check(new Concatenate(axis), [Random(1, [2, 3, 2, 2]), Random(2, [2, 3, 2, 2]), Random(3, [2, 3, 2, 2])]);

    [Theory]
    [InlineData(-1, 1, 3)]
    [InlineData(1, 0, 2)]
    public void Slice(int axis, int start, int stop) => LayerGradientCheck.Check(new Slice(axis, start, stop), [Random(1, [2, 3, 4, 4])]);

    [Fact]
    public void Permute() => LayerGradientCheck.Check(new Permute([3, 1, 2]), [Random(1, [2, 3, 4, 5])]);

    [Fact]
    public void PermuteToChannelsFirstMovesTheRightValues()
    {
        var x = Random(1, [2, 3, 4, 5]);
        var layer = new Permute([3, 1, 2]);
        layer.Call(new Input(3, 4, 5));
        var y = layer.Forward([x], training: false);
        Assert.Equal([2, 5, 3, 4], y.Shape.ToArray());
        Assert.Equal(x[1, 2, 3, 4], y[1, 4, 2, 3]);
        Assert.Equal(x[0, 1, 0, 2], y[0, 2, 1, 0]);
    }

    [Fact]
    public void Reshape() => LayerGradientCheck.Check(new Reshape([-1, 6]), [Random(1, [2, 3, 2, 2])]);

    [Fact]
    public void Subtract() => LayerGradientCheck.Check(new Subtract(), [Random(1, [2, 3, 4]), Random(2, [2, 3, 4])]);

    [Fact]
    public void Multiply() => LayerGradientCheck.Check(new Multiply(), [Random(1, [2, 3, 4]), Random(2, [2, 3, 4]), Random(3, [2, 3, 4])]);

    [Theory]
    [InlineData("add", new[] { 3 })]
    [InlineData("subtract", new[] { 2, 1, 3 })]
    [InlineData("reverse_subtract", new[] { 1 })]
    [InlineData("multiply", new[] { 2, 4, 3 })]
    public void ElementwiseConstant(string op, int[] constantShape)
    {
        var c = Random(7, constantShape);
        LayerGradientCheck.Check(new ElementwiseConstant(op, c), [Random(1, [2, 2, 4, 3])]);
    }

    [Fact]
    public void ElementwiseConstantBroadcastsPerChannel()
    {
        var layer = new ElementwiseConstant("subtract", Tensor.FromArray([1f, 2f, 3f], 3));
        layer.Call(new Input(2, 2, 3));
        var y = layer.Forward([Tensor.Full(10f, 1, 2, 2, 3)], training: false);
        Assert.Equal([9f, 8f, 7f, 9f, 8f, 7f, 9f, 8f, 7f, 9f, 8f, 7f], y.Span.ToArray());
    }

    [Theory]
    [InlineData(null, 0f, 0f)]
    [InlineData(6f, 0f, 0f)]
    [InlineData(1f, 0.2f, -0.5f)]
    public void ReLU(float? maxValue, float slope, float threshold)
    {
        // Values kept away from the kinks (threshold, maxValue) so that no finite-difference probe crosses one.
        var x = AwayFromZero(1, [3, 8], 0.1f, 3f);
        for (int i = 0; i < x.Size; i++)
            if (Math.Abs(x.Data[i] - threshold) < 0.05f || maxValue is { } m && Math.Abs(x.Data[i] - m) < 0.05f) x.Data[i] += 0.2f;
        LayerGradientCheck.Check(new ReLU(maxValue, slope, threshold), [x], h: 1e-3f);
    }

    [Fact]
    public void LeakyReLU() => LayerGradientCheck.Check(new LeakyReLU(0.1f), [AwayFromZero(1, [3, 8], 0.1f, 2f)], h: 1e-3f);

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2)]
    public void Softmax(int axis) => LayerGradientCheck.Check(new Softmax(axis), [Random(1, [2, 3, 4, 2], -2f, 2f)]);

    [Fact]
    public void PoolingWithExplicitPadding()
    {
        LayerGradientCheck.Check(new MaxPooling2D((3, 3), (2, 2), ((1, 0), (2, 1))), [Distinct(1, [2, 5, 6, 3])]);
        LayerGradientCheck.Check(new AveragePooling2D((3, 2), (2, 1), ((0, 2), (1, 1))), [Random(1, [2, 5, 6, 3])]);
    }

    [Fact]
    public void GlobalAveragePoolingKeepdims()
    {
        var layer = new GlobalAveragePooling2D(keepdims: true);
        LayerGradientCheck.Check(layer, [Random(1, [2, 3, 4, 5])]);
        Assert.Equal([1, 1, 5], layer.ComputeOutputShape([[3, 4, 5]]));
    }

    [Fact]
    public void EveryNewLayerSurvivesSaveAndLoad()
    {
        var input = new Input(4, 4, 3);
        var a = new Slice(-1, 0, 2).Call(input);
        var b = new Slice(-1, 1, 3).Call(input);
        var x = new Concatenate().Call(new Subtract().Call(a, b), new Multiply().Call(a, b));
        x = new ElementwiseConstant("multiply", Random(5, [4, 4, 1])).Call(x);
        x = new ReLU(maxValue: 0.5f, negativeSlope: 0.1f).Call(x);
        x = new LeakyReLU(0.2f).Call(x);
        x = new MaxPooling2D((2, 2), (1, 1), ((1, 0), (0, 1))).Call(x);
        x = new AveragePooling2D((2, 2), (2, 2), ((1, 1), (1, 1))).Call(x);
        x = new Permute([3, 1, 2]).Call(x);
        x = new Reshape([4, -1]).Call(x);
        x = new Softmax(axis: 1).Call(x);
        x = new Reshape([-1, 3, 3]).Call(new Dense(9).Call(new Permute([2, 1]).Call(x)));
        x = new GlobalAveragePooling2D(keepdims: true).Call(x);
        var model = new Model(input, x);
        var data = Random(9, [2, 4, 4, 3]);
        var expected = model.Predict(data).Clone();
        using var dir = new TempFolder();
        model.Save(dir.File("m.keras"));
        var loaded = Model.Load(dir.File("m.keras"));
        Assert.Equal(model.Layers.Select(l => l.GetType()), loaded.Layers.Select(l => l.GetType()));
        Assert.Equal(expected.Span.ToArray(), loaded.Predict(data).Span.ToArray());
    }
}
