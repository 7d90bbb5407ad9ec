using DeepSharp.Layers;
using DeepSharp.Models;
using static DeepSharp.Tests.Layers.Preprocessing.PreprocessingContract;

namespace DeepSharp.Tests.Layers.Preprocessing;

public class RandomFlipTests
{
    /// <summary>x[b] flipped left-right and/or top-bottom (np.flip).</summary>
    private static float[] Flipped(Tensor x, int b, bool horizontal, bool vertical)
    {
        int h = x.Dim(1), w = x.Dim(2), c = x.Dim(3);
        var r = new float[h * w * c];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++)
                for (int k = 0; k < c; k++)
                    r[(i * w + j) * c + k] = x.Data[((b * h + (vertical ? h - 1 - i : i)) * w + (horizontal ? w - 1 - j : j)) * c + k];
        return r;
    }

    [Theory]
    [InlineData("horizontal")]
    [InlineData("vertical")]
    [InlineData("horizontal_and_vertical")]
    public void EachImageIsFlippedOrNot_AboutHalfOfThem(string mode)
    {
        var x = Images(3, [64, 5, 6, 2]);
        var layer = new RandomFlip(mode, seed: 4);
        var y = layer.Forward(x, training: true);
        bool h = mode != "vertical", v = mode != "horizontal";
        int flipped = 0;
        for (int b = 0; b < 64; b++)
        {
            var image = y.Span.Slice(b * 60, 60).ToArray();
            if (image.SequenceEqual(Flipped(x, b, h, v))) flipped++;
            else Assert.Equal(Flipped(x, b, false, false), image);   // Keras 3: both axes by the same draw, never one alone
        }
        Assert.InRange(flipped, 20, 44);
        Assert.Equal(y.Span.ToArray(), new RandomFlip(mode, seed: 4).Forward(x, training: true).Span.ToArray());   // seeded
        Assert.NotEqual(y.Span.ToArray(), new RandomFlip(mode, seed: 5).Forward(x, training: true).Span.ToArray());
    }

    [Fact]
    public void InferenceIsTheIdentity_AndPassesGradients_TrainingRefusesOne()
    {
        var x = Images(1, [2, 4, 4, 3]);
        var layer = new RandomFlip(seed: 1);
        Assert.Same(x, layer.Forward(x, training: false));
        var dy = Images(2, [2, 4, 4, 3]);
        layer.Backward(dy, needInputGradients: true);
        Assert.Same(dy, layer.InputGradient);
        layer.Forward(x, training: true);
        var e = Assert.Throws<NotSupportedException>(() => layer.Backward(dy, needInputGradients: true));
        Assert.Contains("RandomFlip", e.Message);
        layer.Backward(dy, needInputGradients: false);   // nothing asked: nothing to refuse
    }

    [Fact]
    public void ConfigSaveLoadAndSummary()
    {
        Assert.Equal(("vertical", 9), (ConfigRoundTrip(new RandomFlip("vertical", seed: 9, name: "flip")) is var c ? (c.Mode, c.Seed) : default));
        Assert.Null(ConfigRoundTrip(new RandomFlip()).Seed);
        SaveLoad(new RandomFlip("horizontal", seed: 2), [5, 6, 3], [5, 6, 3]);
    }

    [Fact]
    public void BadArgumentsNameTheLayerAndTheArgument() =>
        RefusesWithClearError(() => new RandomFlip("diagonal"), "RandomFlip", "mode");
}
