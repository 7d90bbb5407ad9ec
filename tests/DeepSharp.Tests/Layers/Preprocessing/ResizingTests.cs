using DeepSharp.Backends.Reference;
using DeepSharp.Layers;
using static DeepSharp.Tests.Layers.Preprocessing.PreprocessingContract;

namespace DeepSharp.Tests.Layers.Preprocessing;

public class ResizingTests
{
    public static TheoryData<string> Cases() => [.. Keras3Fixtures.Names("resize_")];

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesKeras3NumpyBackend(string name)
    {
        var c = Keras3Fixtures.Case(name);
        var layer = new Resizing(c.Int("height"), c.Int("width"), c.Text("interpolation"), c.Bool("crop_to_aspect_ratio"),
            c.Bool("pad_to_aspect_ratio"), fillValue: c.Scalar("fill_value"), antialias: c.Bool("antialias"));
        var x = c.Tensor("x");
        layer.Call(new Input(x.ShapeArray[1..]));
        c.AssertMatches("y", layer.Forward(x, training: false));
        c.AssertMatches("y", layer.Forward(x, training: true));   // the same in training
        var (rows, cols) = layer.Axes(x.Dim(1), x.Dim(2));   // the oracle backend on the same sampling
        var y = new Tensor(c.Tensor("y").ShapeArray);
        new ReferenceBackend().Resample(x, y, rows, cols, layer.FillValue);
        c.AssertMatches("y", y);
    }

    [Theory]
    [InlineData("bilinear", false, false)]
    [InlineData("bicubic", true, false)]
    [InlineData("lanczos3", false, true)]
    [InlineData("nearest", false, false)]
    public void GradientMatchesFiniteDifferences(string interpolation, bool crop, bool pad)
    {
        var x = GradientCheck.Random(3, [2, 5, 7, 2]);
        LayerGradientCheck.Check(new Resizing(4, 3, interpolation, crop, pad, fillValue: 0.5), [x], training: false);
        LayerGradientCheck.Check(new Resizing(8, 9, interpolation, antialias: true), [x], training: true);
    }

    [Fact]
    public void ConfigSaveLoadAndSummary()
    {
        var layer = new Resizing(6, 5, "bicubic", cropToAspectRatio: true, antialias: true, name: "resize");
        var copy = ConfigRoundTrip(layer);
        Assert.Equal(("bicubic", true, true), (copy.Interpolation, copy.CropToAspectRatio, copy.Antialias));
        SaveLoad(layer, [9, 7, 3], [6, 5, 3]);
        SaveLoad(new Resizing(4, 8, padToAspectRatio: true, fillValue: 3), [9, 7, 3], [4, 8, 3]);
    }

    [Fact]
    public void BadArgumentsNameTheLayerAndTheArgument()
    {
        RefusesWithClearError(() => new Resizing(0, 4), "Resizing", "height");
        RefusesWithClearError(() => new Resizing(4, -1), "Resizing", "width");
        RefusesWithClearError(() => new Resizing(4, 4, "area"), "Resizing", "interpolation");
        RefusesWithClearError(() => new Resizing(4, 4, fillMode: "reflect"), "Resizing", "fill_mode");
        RefusesWithClearError(() => new Resizing(4, 4, cropToAspectRatio: true, padToAspectRatio: true), "Resizing", "padToAspectRatio");
        var e = Assert.Throws<ArgumentException>(() => new Resizing(4, 4).Call(new Input(10)));
        Assert.Contains("(batch, height, width, channels)", e.Message);
    }
}
