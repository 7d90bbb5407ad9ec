namespace DeepSharp.Vision.Tests.Visualization;

/// <summary>
/// Grad-CAM on a convnet trained on images whose evidence sits at a known place: with a class's shape in one place and
/// a distractor (an "X" of no class) elsewhere, the map peaks on the shape and is weaker everywhere on the distractor.
/// </summary>
public class GradCamTests(ShapesModel shapes) : IClassFixture<ShapesModel>
{
    private static readonly string[] Names = ["cross", "square", "none"];

    private static Tensor Scene(int seed, (int Class, int Top, int Left) evidence, (int Class, int Top, int Left) distractor)
    {
        var x = new Tensor(1, ShapesModel.Size, ShapesModel.Size, 1);
        ShapesModel.Fill(x, 0, new Random(seed), evidence, distractor);
        return x;
    }

    private static bool Inside((int Row, int Column) peak, (int Class, int Top, int Left) shape, int slack) =>
        peak.Row >= shape.Top - slack && peak.Row < shape.Top + ShapesModel.Shape + slack &&
        peak.Column >= shape.Left - slack && peak.Column < shape.Left + ShapesModel.Shape + slack;

    private static float BoxMax(float[] heat, int top, int left)
    {
        float m = 0;
        for (int y = top; y < top + ShapesModel.Shape; y++)
            for (int x = left; x < left + ShapesModel.Shape; x++) m = Math.Max(m, heat[y * ShapesModel.Size + x]);
        return m;
    }

    [Theory]
    [InlineData(0, 2, 3, 22, 23)]     // cross top-left, X bottom-right
    [InlineData(0, 23, 21, 3, 2)]     // cross bottom-right, X top-left
    [InlineData(1, 3, 22, 21, 4)]     // square top-right, X bottom-left
    [InlineData(1, 20, 4, 2, 23)]     // square bottom-left, X top-right
    [InlineData(0, 12, 12, 1, 1)]     // cross in the middle
    [InlineData(1, 12, 12, 24, 24)]   // square in the middle
    public void TheHeatmapPeaksOnTheEvidenceNotOnTheDistractor(int cls, int top, int left, int otherTop, int otherLeft)
    {
        Assert.True(shapes.Accuracy > 0.95, $"the shapes convnet reached only {shapes.Accuracy:P1} training accuracy");
        var evidence = (cls, top, left);
        var distractor = (ShapesModel.Distractor, otherTop, otherLeft);   // an "X", no class's evidence
        var image = Scene(100 + cls, evidence, distractor);

        var cam = GradCam.Compute(shapes.Model, image, classIndex: cls, classNames: Names);
        Assert.Equal("last_conv", cam.LayerName);
        Assert.Equal(Names[cls], cam.ClassName);
        Assert.Equal(new[] { 8, 8 }, cam.Heatmap.ShapeArray);
        Assert.Equal(1f, cam.Heatmap.Span.ToArray().Max());
        Assert.True(cam.Heatmap.Span.ToArray().Min() >= 0f);
        // The map has one cell per 4×4 pixels: the peak cell must touch the evidence's box, and the map must be
        // stronger anywhere on the evidence than anywhere on the distractor.
        var peak = cam.PeakIn(ShapesModel.Size, ShapesModel.Size);
        Assert.True(Inside(peak, evidence, slack: 4), $"class {Names[cls]}: the heatmap peaks at {peak}, not on the evidence at ({top}, {left})");
        var heat = GradCam.Resize(cam.Heatmap, ShapesModel.Size, ShapesModel.Size);
        float onEvidence = BoxMax(heat, top, left), onDistractor = BoxMax(heat, otherTop, otherLeft);
        Assert.True(onEvidence > onDistractor, $"class {Names[cls]}: the map reaches {onDistractor:F2} on the distractor but only {onEvidence:F2} on the evidence");
    }

    [Fact]
    public void DefaultsAreTheTopPredictionAndTheLastConvolution()
    {
        var image = Scene(7, (1, 4, 4), (ShapesModel.Distractor, 20, 20));
        var top = GradCam.Compute(shapes.Model, image);
        Assert.Equal(1, top.ClassIndex);
        Assert.Equal("last_conv", top.LayerName);
        var byName = GradCam.Compute(shapes.Model, image, "square", Names, layer: shapes.Model.Layers[2].Name);
        Assert.Equal(new[] { 16, 16 }, byName.Heatmap.ShapeArray);
    }

    [Fact]
    public void SaveWritesTheHeatmapTheOverlayAndTheRawMap()
    {
        using var dir = new TempDir();
        var image = Scene(8, (0, 3, 3), (ShapesModel.Distractor, 20, 20));
        var cam = GradCam.Compute(shapes.Model, image, classIndex: 0);
        var original = image.Reshape(ShapesModel.Size, ShapesModel.Size, 1) * 255f;
        var files = GradCam.Save(cam, original, dir.Path);
        Assert.Equal(new[] { "heatmap.png", "overlay.png", "heatmap.npy" }, files.Select(Path.GetFileName));

        var heat = ImageIO.Load(files[0]);
        var overlay = ImageIO.Load(files[1]);
        Assert.Equal(new[] { 32, 32, 3 }, heat.ShapeArray);
        Assert.Equal(new[] { 32, 32, 3 }, overlay.ShapeArray);
        // Where the map is 1 (peak) jet is dark red (128+, 0, 0); the overlay is 0.6·original + 0.4·jet.
        var resized = GradCam.Resize(cam.Heatmap, 32, 32);
        int at = Array.IndexOf(resized, resized.Max());
        var jet = (heat.Data[at * 3], heat.Data[at * 3 + 1], heat.Data[at * 3 + 2]);
        Assert.True(jet.Item1 > 120 && jet.Item2 < 5 && jet.Item3 < 5, $"jet at the peak is {jet}");
        float expected = 0.6f * original.Data[at] + 0.4f * jet.Item1;
        Assert.InRange(overlay.Data[at * 3], expected - 1.5f, expected + 1.5f);

        // .npy 1.0: magic, version, header length, a Python dict padded to 64 bytes, then little-endian float32.
        var bytes = File.ReadAllBytes(files[2]);
        Assert.Equal("\x93NUMPY", System.Text.Encoding.Latin1.GetString(bytes, 0, 6));
        int headerLength = BitConverter.ToUInt16(bytes, 8);
        string header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Contains("'descr': '<f4'", header);
        Assert.Contains("'shape': (8, 8)", header);
        Assert.Equal(0, (10 + headerLength) % 64);
        var values = new float[64];
        Buffer.BlockCopy(bytes, 10 + headerLength, values, 0, 256);
        Assert.Equal(bytes.Length, 10 + headerLength + 256);
        Assert.Equal(cam.Heatmap.Span.ToArray(), values);
    }

    [Fact]
    public void BadInputGetsOneClearErrorEach()
    {
        var image = Scene(9, (0, 3, 3), (ShapesModel.Distractor, 20, 20));
        var dense = Assert.Throws<ArgumentException>(() => GradCam.Compute(shapes.Model, image, layer: "predictions"));
        Assert.Contains("'predictions' is not convolutional", dense.Message);
        Assert.Contains("last_conv", dense.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => GradCam.Compute(shapes.Model, image, classIndex: 3));
        Assert.Contains("3 classes (0–2)", range.Message);
        var size = Assert.Throws<ArgumentException>(() => GradCam.Compute(shapes.Model, new Tensor(1, 30, 30, 1)));
        Assert.Contains("expects input of shape (None, 32, 32, 1)", size.Message);
        Assert.Contains("or one sample of shape (32, 32, 1) as a batch of one", size.Message);
        var unknown = Assert.Throws<ArgumentException>(() => GradCam.Compute(shapes.Model, image, layer: "nope"));
        Assert.Contains("last_conv", unknown.Message);
        var name = Assert.Throws<ArgumentException>(() => GradCam.Compute(shapes.Model, image, "circle", Names));
        Assert.Contains("0 = cross, 1 = square, 2 = none", name.Message);
    }
}
