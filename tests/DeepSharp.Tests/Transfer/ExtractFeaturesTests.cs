using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Training;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Transfer;

public class ExtractFeaturesTests
{
    [Fact]
    public void ReturnsPredictOutputsAndLabelsForSampleCountRowsWithoutGradientWork()
    {
        Rng.SetSeed(31);
        var inputs = new Input(6, 6, 2);
        var h = new Conv2D(3, (3, 3), activation: "relu").Call(inputs);
        h = new BatchNormalization().Call(h);
        var convBase = new Model(inputs, new MaxPooling2D((2, 2)).Call(h));
        var x = Random(1, [23, 6, 6, 2]);
        var y = new Tensor(23, 1);
        for (int i = 0; i < 23; i++) y.Data[i] = i % 2;
        var before = convBase.GetWeights();
        var generator = new ArrayBatches(x, y, 0, 23, 5, shuffle: false, new System.Random(1));
        var (features, labels) = convBase.ExtractFeatures(generator, sampleCount: 17);   // not a multiple of the batch size
        Assert.Equal([17, 2, 2, 3], features.Shape.ToArray());
        Assert.Equal([17, 1], labels!.Shape.ToArray());
        var expected = convBase.Predict(x.Slice(0, 17));
        Assert.Equal(expected.Span.ToArray(), features.Span.ToArray());
        Assert.Equal(y.Span[..17].ToArray(), labels.Span.ToArray());
        var after = convBase.GetWeights();
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i].Span.ToArray(), after[i].Span.ToArray());   // BN statistics untouched
        Assert.All(convBase.Parameters, p => Assert.False(p.HasGradientBuffer, p.Path));
        Assert.Throws<ArgumentOutOfRangeException>(() => convBase.ExtractFeatures(generator, 0));
    }
}
