namespace DeepSharp.Vision.Tests.Visualization;

/// <summary>Filter patterns by gradient ascent and intermediate-activation grids on the shapes convnet.</summary>
public class FilterAndActivationTests(ShapesModel shapes) : IClassFixture<ShapesModel>
{
    [Fact]
    public void GradientAscentRaisesTheFiltersMeanActivation()
    {
        var pattern = FilterPatterns.Generate(shapes.Model, "last_conv", filter: 3, steps: 20);
        Assert.Equal(21, pattern.Objective.Length);
        Assert.True(pattern.Objective[^1] > pattern.Objective[0] + 1e-3,
            $"the mean activation went from {pattern.Objective[0]:G4} to {pattern.Objective[^1]:G4}");
        Assert.Equal(new[] { 32, 32, 1 }, pattern.Image.ShapeArray);
        var v = pattern.Image.Span.ToArray();
        Assert.True(v.Min() >= 0 && v.Max() <= 255 && v.Max() - v.Min() > 50, $"pattern values span {v.Min()}..{v.Max()}");
    }

    [Fact]
    public void DeprocessCentersAtHalfGrayWithATenthOfAStdPerUnit()
    {
        var x = new Tensor(100);
        x.Data[99] = 1000f;                        // mean 10, std sqrt(99 + 9801) = 99.5
        var y = FilterPatterns.Deprocess(x);
        Assert.Equal((float)((-10 / (99.5 + 1e-5) * 0.1 + 0.5) * 255), y.Data[0], 3);
        Assert.Equal(255f, y.Data[99]);            // z = 9.95: clipped
        var z = FilterPatterns.Deprocess(x * -1f);
        Assert.Equal(0f, z.Data[99]);
    }

    [Fact]
    public void FilterGridIsEightPerRowWithMargins()
    {
        using var dir = new TempDir();
        string path = dir["grid.png"];
        var patterns = FilterPatterns.SaveGrid(shapes.Model, shapes.Model.Layers[2].Name, path, count: 10, steps: 3);
        Assert.Equal(10, patterns.Count);
        var png = ImageIO.Load(path);
        Assert.Equal(8 * 32 + 7 * FilterPatterns.Margin, png.Dim(1));
        Assert.Equal(PictureGrid.TitleHeight + 2 * 32 + FilterPatterns.Margin, png.Dim(0));
    }

    [Fact]
    public void ActivationGridsHaveEveryChannelSixteenPerRow()
    {
        using var dir = new TempDir();
        var image = new Tensor(ShapesModel.Size, ShapesModel.Size, 1);
        ShapesModel.Fill(image, 0, new Random(3), (0, 5, 5));
        var files = IntermediateActivations.Save(shapes.Model, image, dir.Path);
        // conv (32×32×8), pool (16×16×8), conv (16×16×16), pool (8×8×16), conv (8×8×16); the pooled vector and the dense layer are skipped.
        Assert.Equal(5, files.Count);
        Assert.EndsWith($"01_{shapes.Model.Layers[0].Name}.png", files[0]);
        var first = ImageIO.Load(files[0]);      // 8 channels of 32×32 shown at 64×64 (zoom 2), 1 px apart
        Assert.Equal(8 * 65 - 1, first.Dim(1));
        Assert.Equal(PictureGrid.TitleHeight + 64, first.Dim(0));
        var third = ImageIO.Load(files[2]);      // 16 channels of 16×16 at 48×48: one full row
        Assert.Equal(16 * 49 - 1, third.Dim(1));

        var chosen = IntermediateActivations.Save(shapes.Model, image, dir["two"], ["last_conv"]);
        Assert.Single(chosen);
        var flat = Assert.Throws<ArgumentException>(() => IntermediateActivations.Save(shapes.Model, image, dir["bad"], ["predictions"]));
        Assert.Contains("no height and width", flat.Message);
    }

    [Fact]
    public void PostprocessingIsTheBooks()
    {
        var v = new float[] { 1f, 3f, 1f, 3f };       // mean 2, std 1
        IntermediateActivations.Postprocess(v);
        Assert.Equal(new[] { 64f, 192f, 64f, 192f }, v);
        var flat = new float[] { 5f, 5f };
        IntermediateActivations.Postprocess(flat);
        Assert.Equal(new[] { 128f, 128f }, flat);
        var wide = new float[] { 0f, 0f, 0f, 100f };   // z = 1.73 → 239; z = -0.58 → 91
        IntermediateActivations.Postprocess(wide);
        Assert.All(wide, a => Assert.InRange(a, 0f, 255f));
    }
}
