using DeepSharp.Layers;
using static DeepSharp.Tests.Layers.Preprocessing.PreprocessingContract;

namespace DeepSharp.Tests.Layers.Preprocessing;

public class RandomCropTests
{
    [Fact]
    public void TrainingCropsOneRandomWindowPerBatch_SeededAndCoveringEveryCorner()
    {
        var x = Images(2, [3, 7, 9, 2]);
        var a = new RandomCrop(4, 5, seed: 12);
        var b = new RandomCrop(4, 5, seed: 12);
        var corners = new HashSet<(int, int)>();
        for (int step = 0; step < 200; step++)
        {
            var ya = a.Forward(x, training: true).Span.ToArray();
            Assert.Equal(ya, b.Forward(x, training: true).Span.ToArray());   // same seed, same crops
            var corner = FindWindow(x, ya, 4, 5);
            corners.Add(corner);
        }
        Assert.Equal(4 * 5, corners.Count);   // every corner in [0, 3] × [0, 4] was drawn
    }

    /// <summary>The (top, left) whose window of x equals y for every image of the batch (one corner per batch).</summary>
    private static (int, int) FindWindow(Tensor x, float[] y, int h, int w)
    {
        int n = x.Dim(0), xh = x.Dim(1), xw = x.Dim(2), c = x.Dim(3);
        for (int top = 0; top + h <= xh; top++)
            for (int left = 0; left + w <= xw; left++)
            {
                bool same = true;
                for (int b = 0; b < n && same; b++)
                    for (int i = 0; i < h && same; i++)
                        for (int j = 0; j < w && same; j++)
                            for (int k = 0; k < c && same; k++)
                                same = y[((b * h + i) * w + j) * c + k] == x.Data[((b * xh + top + i) * xw + left + j) * c + k];
                if (same) return (top, left);
            }
        throw new Xunit.Sdk.XunitException("the output is no window of the input");
    }

    [Fact]
    public void InferenceTakesTheCentredAspectWindow_AsKerasComputesIt()
    {
        // Keras 3 computes this window for inference and for inputs not larger than the target (smart_resize's crop).
        var c = Keras3Fixtures.Case("resize_bilinear_crop");   // 7 × 9 → 4 × 4 with crop_to_aspect_ratio
        var x = c.Tensor("x");
        var layer = new RandomCrop(4, 4, seed: 1);
        c.AssertMatches("y", layer.Forward(x, training: false));
        var same = new RandomCrop(7, 5, seed: 1);   // height not larger: the centred window even in training
        Assert.Equal((0, 2), FindWindow(x, same.Forward(x, training: true).Span.ToArray(), 7, 5));   // (9 - 5) / 2 = 2
    }

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        var x = GradientCheck.Random(5, [2, 6, 7, 2]);
        LayerGradientCheck.Check(new RandomCrop(3, 4, seed: 3), [x], training: false);
        var layer = new RandomCrop(3, 4, seed: 3);
        layer.Forward(x, training: true);
        var dy = GradientCheck.Random(6, [2, 3, 4, 2]);
        layer.Backward(dy, needInputGradients: true);
        double sum = 0;
        foreach (float v in layer.InputGradient!.Span) sum += v;
        double expected = 0;
        foreach (float v in dy.Span) expected += v;
        Assert.Equal(expected, sum, 4);   // a crop scatters every dy once
    }

    [Fact]
    public void ConfigSaveLoadAndSummary()
    {
        var layer = new RandomCrop(4, 5, seed: 7, name: "crop");
        Assert.Equal(7, ConfigRoundTrip(layer).Seed);
        var unseeded = new RandomCrop(4, 5);   // Keras saves the seed it made
        Assert.Equal(unseeded.Seed, ConfigRoundTrip(unseeded).Seed);
        SaveLoad(new RandomCrop(4, 5, seed: 2), [8, 9, 3], [4, 5, 3]);
    }

    [Fact]
    public void BadArgumentsNameTheLayerAndTheArgument()
    {
        RefusesWithClearError(() => new RandomCrop(0, 4), "RandomCrop", "height");
        RefusesWithClearError(() => new RandomCrop(4, -2), "RandomCrop", "width");
    }
}
