using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Tests.Models;

public class SummaryTests
{
    [Fact]
    public void ChapterModelHasKerasShapesAndParameterCounts()
    {
        var model = ChapterModel.Create();
        Assert.Equal(93_322, model.CountParams());
        var shapes = model.Layers.Select(l => string.Join("x", model.Nodes[model.NodeOf(l)].Shape)).ToArray();
        Assert.Equal(["26x26x32", "13x13x32", "11x11x64", "5x5x64", "3x3x64", "576", "64", "10"], shapes);
        var perLayer = model.Layers.Select(l => l.CountParams()).ToArray();
        Assert.Equal([320L, 0, 18_496, 0, 36_928, 0, 36_928, 650], perLayer);

        string text = model.SummaryText();
        Assert.Contains("(None, 26, 26, 32)", text);
        Assert.Contains("(None, 3, 3, 64)", text);
        Assert.Contains("Total params: 93,322", text);
        Assert.Contains("Trainable params: 93,322", text);
        Assert.Contains("Non-trainable params: 0", text);
    }

    [Fact]
    public void LayerNamesFollowKerasConvention()
    {
        var model = ChapterModel.Create();
        var names = model.Layers.Select(l => l.Name).ToArray();
        // Names are global counters as in Keras; strip the numbering to compare the bases and check uniqueness.
        Assert.Equal(names.Length, names.Distinct().Count());
        Assert.Equal(["conv2d", "max_pooling2d", "conv2d", "max_pooling2d", "conv2d", "flatten", "dense", "dense"],
            names.Select(n => System.Text.RegularExpressions.Regex.Replace(n, "_[0-9]+$", "")).ToArray());
        Assert.Same(model.Layers[2], model.GetLayer(names[2]));
        var ex = Assert.Throws<ArgumentException>(() => model.GetLayer("nope"));
        Assert.Contains("nope", ex.Message);
    }

    [Fact]
    public void KernelsUseKerasLayoutAndGlorotUniformAndZeroBias()
    {
        var conv = new Conv2D(64, (3, 3), inputShape: (11, 11, 32));
        _ = new Sequential(conv);
        Assert.Equal([3, 3, 32, 64], conv.Kernel.Value.Shape.ToArray());
        float limit = MathF.Sqrt(6f / (9 * 32 + 9 * 64));
        var k = conv.Kernel.Value.Span;
        Assert.All(k.ToArray(), v => Assert.InRange(v, -limit, limit));
        // Uniform on [-limit, limit]: the standard deviation is limit/sqrt(3).
        double std = Math.Sqrt(k.ToArray().Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.95 * limit / Math.Sqrt(3), 1.05 * limit / Math.Sqrt(3));
        Assert.All(conv.Bias!.Value.Span.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void FrozenLayersCountAsNonTrainable()
    {
        var model = new Sequential(new Dense(4, inputDim: 3), new BatchNormalization(), new Dense(2));
        string text = model.SummaryText();
        Assert.Contains("Total params: 42", text);              // 16 + 4*4 (gamma, beta, mean, var) + 10
        Assert.Contains("Non-trainable params: 8", text);       // moving mean and variance
        model.Layers[0].Trainable = false;
        Assert.Contains("Non-trainable params: 24", model.SummaryText());
    }

    [Fact]
    public void UnbuiltSequentialSaysHowToBuildIt()
    {
        var model = new Sequential(new Dense(3));
        var ex = Assert.Throws<InvalidOperationException>(() => model.Summary());
        Assert.Contains("inputShape", ex.Message);
    }
}

public class ChapterModelsTests
{
    [Theory]
    [InlineData(false, 3_453_121)]
    [InlineData(true, 3_453_121)]
    public void SmallConvnetHasTheBooksParameterCount(bool dropout, long expected)
    {
        var model = DeepSharp.Applications.ChapterModels.SmallConvnet(dropout: dropout);
        Assert.Equal(expected, model.CountParams());
        Assert.Equal(dropout, model.Layers.Any(l => l is DeepSharp.Layers.Dropout));
        Assert.Equal([7, 7, 128], model.Nodes[model.NodeOf(model.Layers[7])].Shape);
    }

    [Fact]
    public void SmallConvnetUsesSoftmaxForMoreThanTwoClasses()
    {
        var model = DeepSharp.Applications.ChapterModels.SmallConvnet(size: 64, classes: 5);
        Assert.Equal([5], model.OutputShapePerSample!);
        Assert.Throws<ArgumentOutOfRangeException>(() => DeepSharp.Applications.ChapterModels.SmallConvnet(classes: 1));
    }
}
