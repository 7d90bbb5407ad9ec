using DeepSharp.Layers;
using DeepSharp.Models;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Transfer;

public class GetSetWeightsTests
{
    private static Sequential Net(int seed)
    {
        Rng.SetSeed(seed);
        return new Sequential(new Conv2D(3, (3, 3), inputShape: (5, 5, 2)), new BatchNormalization(scale: false),
            new Flatten(), new Dense(2));
    }

    [Fact]
    public void WeightsComeInKerasOrderAndLayout()
    {
        var m = Net(1);
        var shapes = m.GetWeights().Select(w => Tensor.FormatShape(w.Shape)).ToArray();
        // conv kernel, bias; BN without scale: beta, moving_mean, moving_variance; dense kernel, bias
        Assert.Equal(["(3, 3, 2, 3)", "(3)", "(3)", "(3)", "(3)", "(27, 2)", "(2)"], shapes);
        Assert.Equal(3, m.Layers[1].GetWeights().Count);
    }

    [Fact]
    public void GetWeightsReturnsCopies()
    {
        var m = Net(1);
        var w = m.GetWeights();
        w[0].Span.Fill(42f);
        Assert.NotEqual(42f, m.GetWeights()[0].Span[0]);
    }

    [Fact]
    public void SetWeightsCopiesAModel()
    {
        var a = Net(1);
        var b = Net(2);
        var x = Random(3, [4, 5, 5, 2]);
        Assert.NotEqual(a.Predict(x).Span.ToArray(), b.Predict(x).Span.ToArray());
        b.SetWeights(a.GetWeights());
        Assert.Equal(a.Predict(x).Span.ToArray(), b.Predict(x).Span.ToArray());
    }

    [Fact]
    public void MismatchesNameTheLayerAndBothShapesAndChangeNothing()
    {
        var m = Net(1);
        var conv = m.Layers[0];
        var original = conv.GetWeights();
        var ex = Assert.Throws<ArgumentException>(() => conv.SetWeights([new Tensor(3, 3, 2, 3), new Tensor(4)]));
        Assert.Contains(conv.Name, ex.Message);
        Assert.Contains("(3)", ex.Message);
        Assert.Contains("(4)", ex.Message);
        Assert.Equal(original[0].Span.ToArray(), conv.GetWeights()[0].Span.ToArray());   // nothing half-written
        var ex2 = Assert.Throws<ArgumentException>(() => conv.SetWeights([new Tensor(3, 3, 2, 3)]));
        Assert.Contains("got 1 arrays", ex2.Message);
        Assert.Contains("kernel", ex2.Message);
        Assert.Throws<InvalidOperationException>(() => new Dense(3).SetWeights([]));
    }
}
