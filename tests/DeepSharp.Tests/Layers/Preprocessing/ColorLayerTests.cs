using DeepSharp.Layers;
using static DeepSharp.Tests.Layers.Preprocessing.PreprocessingContract;

namespace DeepSharp.Tests.Layers.Preprocessing;

/// <summary>RandomContrast and RandomBrightness against Keras 3's formulas (the fixture), and their contract.</summary>
public class ColorLayerTests
{
    [Fact]
    public void ContrastAndBrightnessMatchKeras3ForFixedDraws()
    {
        var c = Keras3Fixtures.Case("contrast");
        var x = c.Tensor("x");
        var contrast = new RandomContrast(0.5, valueRange: (0, 1));
        var y = new Tensor(x.ShapeArray);
        for (int b = 0; b < 2; b++) contrast.Adjust(x, y, b, c.Floats("factor")[b]);
        c.AssertMatches("y", y);

        var d = Keras3Fixtures.Case("brightness");
        var brightness = new RandomBrightness(0.5, valueRange: (1, 0));   // Keras sorts the range
        for (int b = 0; b < 2; b++) brightness.Shift(x, y, b, d.Floats("delta")[b]);
        d.AssertMatches("y", y);
    }

    [Fact]
    public void ContrastFactorRangeIsKeras3s()
    {
        Assert.Equal((0.0, 0.2), new RandomContrast(0.2).Factor);          // one number: [1, 1.2], as Keras 3's _set_factor
        Assert.Equal((0.2, 0.3), new RandomContrast((0.3, 0.2)).Factor);   // a pair: sorted, [0.8, 1.3]
        Assert.Equal((-0.2, 0.2), new RandomBrightness(0.2).Factor);
        // Every draw of RandomContrast(0.5) keeps or raises the spread of an image (factor ≥ 1), within 1.5.
        var x = Images(7, [50, 4, 4, 1]);
        var y = new RandomContrast(0.5, seed: 1).Forward(x, training: true);
        for (int b = 0; b < 50; b++)
        {
            var xi = x.Span.Slice(b * 16, 16).ToArray();
            var yi = y.Span.Slice(b * 16, 16).ToArray();
            double mean = xi.Average(), ratio = (yi[0] - mean) / (xi[0] - mean);
            if (yi[0] is > 0f and < 255f) Assert.InRange(ratio, 1 - 1e-4, 1.5 + 1e-4);
        }
    }

    public static TheoryData<string> Layers() => ["contrast", "brightness"];

    private static SingleInputLayer Make(string kind, int? seed, string? name = null) => kind == "contrast"
        ? new RandomContrast((0.4, 0.6), seed: seed, name: name)
        : new RandomBrightness((-0.3, 0.5), valueRange: (0, 255), seed: seed, name: name);

    [Theory]
    [MemberData(nameof(Layers))]
    public void IdentityInInference_SeededAndClippedInTraining(string kind)
    {
        var x = Images(4, [6, 5, 5, 3]);
        var layer = Make(kind, seed: 8);
        Assert.Same(x, layer.Forward(x, training: false));
        var y = layer.Forward(x, training: true).Span.ToArray();
        Assert.All(y, v => Assert.InRange(v, 0f, 255f));
        Assert.NotEqual(x.Span.ToArray(), y);
        Assert.Equal(y, Make(kind, seed: 8).Forward(x, training: true).Span.ToArray());
        var dy = Images(5, [6, 5, 5, 3]);
        Assert.Throws<NotSupportedException>(() => layer.Backward(dy, needInputGradients: true));
        layer.Forward(x, training: false);
        layer.Backward(dy, needInputGradients: true);
        Assert.Same(dy, layer.InputGradient);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void ConfigSaveLoadAndSummary(string kind)
    {
        ConfigRoundTrip(Make(kind, seed: 3, name: "color"));
        SaveLoad(Make(kind, seed: null), [4, 5, 3], [4, 5, 3]);
    }

    [Fact]
    public void BadArgumentsNameTheLayerAndTheArgument()
    {
        RefusesWithClearError(() => new RandomContrast(1.5), "RandomContrast", "factor");
        RefusesWithClearError(() => new RandomContrast(-0.1), "RandomContrast", "factor");
        RefusesWithClearError(() => new RandomBrightness((-1.5, 0)), "RandomBrightness", "factor");
        RefusesWithClearError(() => new RandomBrightness(double.NaN), "RandomBrightness", "factor");
        RefusesWithClearError(() => new RandomBrightness(0.1, valueRange: (double.NaN, 1)), "RandomBrightness", "value_range");
    }
}
