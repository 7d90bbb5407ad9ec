using DeepSharp.Layers;
using DeepSharp.Models;
using static DeepSharp.Tests.Layers.Preprocessing.PreprocessingContract;

namespace DeepSharp.Tests.Layers.Preprocessing;

public class CenterCropTests
{
    [Theory]
    [InlineData("center_crop_slice")]
    [InlineData("center_crop_slice_odd")]
    [InlineData("center_crop_smart_resize")]
    public void MatchesKeras3(string name)
    {
        var c = Keras3Fixtures.Case(name);
        var layer = new CenterCrop(c.Int("height"), c.Int("width"));
        var x = c.Tensor("x");
        layer.Call(new Input(x.ShapeArray[1..]));
        c.AssertMatches("y", layer.Forward(x, training: false));
        c.AssertMatches("y", layer.Forward(x, training: true));
    }

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        var x = GradientCheck.Random(4, [2, 6, 5, 2]);
        LayerGradientCheck.Check(new CenterCrop(3, 4), [x], training: false);
        LayerGradientCheck.Check(new CenterCrop(8, 3), [x], training: true);   // smaller input: smart_resize
    }

    [Fact]
    public void ConfigSaveLoadAndSummary()
    {
        ConfigRoundTrip(new CenterCrop(4, 5, name: "crop"));
        SaveLoad(new CenterCrop(4, 5), [7, 9, 3], [4, 5, 3]);
        var sequential = new Sequential(new CenterCrop(4, 4, inputShape: (6, 6, 1)), new Flatten());
        Assert.Equal([1, 16], sequential.Predict(Images(1, [1, 6, 6, 1])).ShapeArray);
    }

    [Fact]
    public void BadArgumentsNameTheLayerAndTheArgument()
    {
        RefusesWithClearError(() => new CenterCrop(0, 4), "CenterCrop", "height");
        RefusesWithClearError(() => new CenterCrop(4, 0), "CenterCrop", "width");
    }
}
