using DeepSharp.Backends;
using DeepSharp.Backends.Reference;
using DeepSharp.Layers;
using static DeepSharp.Tests.Layers.Preprocessing.PreprocessingContract;

namespace DeepSharp.Tests.Layers.Preprocessing;

/// <summary>
/// RandomRotation, RandomZoom and RandomTranslation: their matrices for fixed parameters against Keras' (float32), the
/// transform against Keras 3's numpy backend (scipy map_coordinates) for every fill mode and interpolation, and each
/// layer's contract (identity in inference, seeds, config, .keras, errors).
/// </summary>
public class AffineLayerTests
{
    public static TheoryData<string> Cases() => [.. Keras3Fixtures.Names("affine_")];

    private static ImageFill Fill(string mode) => mode switch
    {
        "constant" => ImageFill.Constant, "nearest" => ImageFill.Nearest, "reflect" => ImageFill.Reflect, "wrap" => ImageFill.Wrap, _ => ImageFill.Mirror,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TransformMatchesKeras3NumpyBackend(string name)
    {
        var c = Keras3Fixtures.Case(name);
        var x = c.Tensor("x");
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2);
        var keras = c.Floats("transform");   // n × 8
        // The layers' matrices for the same parameters (float32, as Keras computes them).
        var ours = new float[n * 6];
        for (int i = 0; i < n; i++)
        {
            var m = ours.AsSpan(i * 6, 6);
            if (name.StartsWith("affine_rotation_")) AffineAugmentation.Rotation(c.Floats("angles")[i], h, w, m);
            else if (name.StartsWith("affine_zoom")) AffineAugmentation.Zoom(c.Floats("zooms")[2 * i], c.Floats("zooms")[2 * i + 1], h, w, m);
            else AffineAugmentation.Translation(c.Floats("translations")[2 * i], c.Floats("translations")[2 * i + 1], m);
            for (int k = 0; k < 6; k++) Assert.True(Math.Abs(m[k] - keras[i * 8 + k]) <= 2e-6 * Math.Max(1, Math.Abs(keras[i * 8 + k])), $"{name}: matrix {i}[{k}] {m[k]} vs Keras {keras[i * 8 + k]}");
        }
        // The transform itself, with Keras' matrices (so a one-ulp cos difference cannot move a nearest pixel).
        var kerasSix = new float[n * 6];
        for (int i = 0; i < n; i++) Array.Copy(keras, i * 8, kerasSix, i * 6, 6);
        bool nearest = c.Text("interpolation") == "nearest";
        var fill = Fill(c.Text("fill_mode"));
        foreach (var backend in new IBackend[] { Backend.Cpu, new ReferenceBackend() })
        {
            var y = new Tensor(x.ShapeArray);
            backend.AffineTransform(x, y, kerasSix, nearest, fill, (float)c.Scalar("fill_value"));
            c.AssertMatches("y", y);
        }
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("reflect")]
    [InlineData("wrap")]
    [InlineData("nearest")]
    public void LayersApplyTheirMatrices_AsKerasDoes(string fillMode)
    {
        // End to end: a rotation by exactly the fixture's angles (factor (a, a) / 360 pins the draw), zooms pinned the same way.
        var c = Keras3Fixtures.Case($"affine_rotation_{fillMode}_bilinear");
        var x = c.Tensor("x");
        float angle = c.Floats("angles")[0];
        var rotation = new RandomRotation((angle / 360.0, angle / 360.0), fillMode, fillValue: c.Scalar("fill_value"), seed: 1);
        var first = Slice(x, 0);
        var expected = Slice(c.Tensor("y"), 0);
        Backends.ParityTests.AssertClose(expected, rotation.Forward(first, training: true), $"rotation {fillMode}", 1e-5);

        var z = Keras3Fixtures.Case($"affine_zoom_{fillMode}_nearest");
        var zooms = z.Floats("zooms");   // width, height of image 0
        var zoom = new RandomZoom((zooms[1] - 1.0, zooms[1] - 1.0), (zooms[0] - 1.0, zooms[0] - 1.0), fillMode, "nearest", seed: 1, fillValue: z.Scalar("fill_value"));
        Backends.ParityTests.AssertClose(Slice(z.Tensor("y"), 0), zoom.Forward(Slice(z.Tensor("x"), 0), training: true), $"zoom {fillMode}", 1e-5);
    }

    private static Tensor Slice(Tensor t, int b)
    {
        var r = new Tensor([1, .. t.ShapeArray[1..]]);
        t.Span.Slice(b * r.Size, r.Size).CopyTo(r.Span);
        return r;
    }

    public static TheoryData<string> Layers() => ["rotation", "zoom", "translation"];

    private static Layer Make(string kind, int? seed, string? name = null) => kind switch
    {
        "rotation" => new RandomRotation(0.2, seed: seed, name: name),
        "zoom" => new RandomZoom((-0.3, 0.2), (-0.1, 0.4), fillMode: "constant", fillValue: 9, seed: seed, name: name),
        _ => new RandomTranslation((-0.2, 0.2), (-0.1, 0.3), fillMode: "wrap", interpolation: "nearest", seed: seed, name: name),
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void IdentityInInference_SeededInTraining_NoTrainingGradient(string kind)
    {
        var x = Images(4, [3, 8, 9, 2]);
        var layer = (SingleInputLayer)Make(kind, seed: 5);
        Assert.Same(x, layer.Forward(x, training: false));
        var dy = Images(5, [3, 8, 9, 2]);
        layer.Backward(dy, needInputGradients: true);
        Assert.Same(dy, layer.InputGradient);

        var y1 = layer.Forward(x, training: true).Span.ToArray();
        var y2 = layer.Forward(x, training: true).Span.ToArray();
        Assert.NotEqual(y1, y2);   // a new draw per call
        Assert.NotEqual(x.Span.ToArray(), y1);
        var again = (SingleInputLayer)Make(kind, seed: 5);
        Assert.Equal(y1, again.Forward(x, training: true).Span.ToArray());
        Assert.Equal(y2, again.Forward(x, training: true).Span.ToArray());
        var e = Assert.Throws<NotSupportedException>(() => layer.Backward(dy, needInputGradients: true));
        Assert.Contains(layer.ClassName, e.Message);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void ConfigSaveLoadAndSummary(string kind)
    {
        ConfigRoundTrip(Make(kind, seed: 3, name: "aug"));
        ConfigRoundTrip(Make(kind, seed: null));
        SaveLoad(Make(kind, seed: 3), [6, 7, 3], [6, 7, 3]);
    }

    [Fact]
    public void ConfigKeepsKerasKeys()
    {
        var rotation = new RandomRotation(0.1, "constant", "nearest", seed: 4, fillValue: 2);
        var c = rotation.GetConfig();
        Assert.Equal(new[] { -0.1, 0.1 }, (double[])c["factor"]!);   // Keras saves the (lower, upper) range
        Assert.Equal(("constant", "nearest", 4), ((string)c["fill_mode"]!, (string)c["interpolation"]!, (int?)c["seed"]));
        Assert.Equal(0.2, (double)new RandomZoom(0.2).GetConfig()["height_factor"]!);   // as given
        Assert.Null(new RandomZoom(0.2).GetConfig()["width_factor"]);
    }

    [Fact]
    public void BadArgumentsNameTheLayerAndTheArgument()
    {
        RefusesWithClearError(() => new RandomRotation(1.5), "RandomRotation", "factor");
        RefusesWithClearError(() => new RandomRotation((-2, 0.1)), "RandomRotation", "factor");
        RefusesWithClearError(() => new RandomRotation(0.1, fillMode: "mirror"), "RandomRotation", "fill_mode");
        RefusesWithClearError(() => new RandomRotation(0.1, interpolation: "bicubic"), "RandomRotation", "interpolation");
        RefusesWithClearError(() => new RandomZoom(-1.0), "RandomZoom", "height_factor");
        RefusesWithClearError(() => new RandomZoom(0.2, 1.5), "RandomZoom", "width_factor");
        RefusesWithClearError(() => new RandomZoom(0.2, fillMode: "edge"), "RandomZoom", "fill_mode");
        RefusesWithClearError(() => new RandomTranslation(1.2, 0.1), "RandomTranslation", "height_factor");
        RefusesWithClearError(() => new RandomTranslation((0.1, 0.1), (0.1, -3)), "RandomTranslation", "width_factor");
        RefusesWithClearError(() => new RandomTranslation(0.1, 0.1, interpolation: "area"), "RandomTranslation", "interpolation");
        Assert.Throws<ArgumentException>(() => new RandomRotation(0.1).Call(new Input(4, 4)));
    }

    [Fact]
    public void ZoomInIsNegative_AsInKeras3()
    {
        // A 9 × 9 image with one bright centre pixel: zooming in (factor -0.5: zoom 0.5) spreads it, zooming out shrinks it.
        var x = new Tensor(1, 9, 9, 1);
        x.Data[4 * 9 + 4] = 1;
        x.Data[4 * 9 + 6] = 1;   // two columns right of the centre
        // Output column x reads input column zoom·x + 4·(1 - zoom) (row 4 reads row 4 either way).
        var zoomIn = new RandomZoom((-0.5, -0.5), fillMode: "constant", interpolation: "nearest").Forward(x, training: true);
        Assert.Equal([1f, 0f, 1f], new[] { zoomIn.Data[4 * 9 + 4], zoomIn.Data[4 * 9 + 6], zoomIn.Data[4 * 9 + 8] });   // 0.5·8 + 2 = 6: moved out
        var zoomOut = new RandomZoom((0.5, 0.5), fillMode: "constant", interpolation: "nearest").Forward(x, training: true);
        Assert.Equal([1f, 1f, 0f], new[] { zoomOut.Data[4 * 9 + 4], zoomOut.Data[4 * 9 + 5], zoomOut.Data[4 * 9 + 6] });  // 1.5·5 - 2 = 5.5 → 6: moved in
    }
}
