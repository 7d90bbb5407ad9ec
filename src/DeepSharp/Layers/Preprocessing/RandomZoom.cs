using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// In training, zooms each image by a random factor about its centre (Keras: <c>layers.RandomZoom</c>), Keras 3's
/// convention: a <b>negative</b> factor zooms <b>in</b> (the image looks larger), a positive one zooms out. <c>heightFactor</c>
/// is one number f for [-f, f] or a (lower, upper) pair, each in (-1, 1]; the height's zoom is 1 + a draw in that range.
/// <c>widthFactor</c> null (the default) zooms the width by the same amount, keeping the aspect ratio. Fill and
/// interpolation as <see cref="RandomRotation"/>. In inference it passes its input through.
/// </summary>
/// <remarks>
/// Follows keras/src/layers/preprocessing/image_preprocessing/random_zoom.py: per image, zoom = uniform(1 + lower, 1 + upper),
/// the matrix of <c>_get_zoom_matrix</c> (output pixel x reads input x·zoom + (w-1)/2·(1-zoom)), the numpy backend's
/// <c>affine_transform</c>.
/// </remarks>
/// <example><code>var zoom = new RandomZoom(0.2);   // up to 20 % in or out</code></example>
public sealed class RandomZoom : SingleInputLayer, ILayerFromConfig<RandomZoom>
{
    private const string Meaning = "the zoom is 1 + a draw in the range; negative zooms in";
    private readonly System.Random _random;
    private readonly AffineAugmentation _affine;
    private readonly double[] _heightFactor;
    private readonly double[]? _widthFactor;

    /// <summary>A zoom by up to ±<paramref name="heightFactor"/> (and ±<paramref name="widthFactor"/> across, when given).</summary>
    public RandomZoom(double heightFactor, double? widthFactor = null, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
        double fillValue = 0.0, (int H, int W, int C)? inputShape = null, string? name = null)
        : this([heightFactor], widthFactor is { } w ? [w] : null, fillMode, interpolation, seed, fillValue, inputShape, name) { }

    /// <summary>A zoom with the height's factor in [Lower, Upper] (and the width's, when given).</summary>
    public RandomZoom((double Lower, double Upper) heightFactor, (double Lower, double Upper)? widthFactor = null, string fillMode = "reflect",
        string interpolation = "bilinear", int? seed = null, double fillValue = 0.0, (int H, int W, int C)? inputShape = null, string? name = null)
        : this([heightFactor.Lower, heightFactor.Upper], widthFactor is { } w ? [w.Lower, w.Upper] : null, fillMode, interpolation, seed, fillValue, inputShape, name) { }

    private RandomZoom(double[] heightFactor, double[]? widthFactor, string fillMode, string interpolation, int? seed, double fillValue,
        (int H, int W, int C)? inputShape, string? name)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        _heightFactor = heightFactor;
        _widthFactor = widthFactor;
        HeightRange = ImagePreprocessing.Factor(this, "height_factor", heightFactor, -1, 1, openMin: true, Meaning);
        WidthRange = widthFactor is null ? null : ImagePreprocessing.Factor(this, "width_factor", widthFactor, -1, 1, openMin: true, Meaning);
        FillMode = fillMode;
        Interpolation = interpolation;
        _affine = new AffineAugmentation(this, ImagePreprocessing.ParseFill(this, fillMode), ImagePreprocessing.ParseAffineInterpolation(this, interpolation), (float)fillValue);
        Seed = seed;
        _random = ImagePreprocessing.Random(seed);
    }

    /// <summary>The range drawn for the height's zoom minus 1.</summary>
    public (double Lower, double Upper) HeightRange { get; }

    /// <summary>The range drawn for the width's zoom minus 1 (null: the height's zoom is used).</summary>
    public (double Lower, double Upper)? WidthRange { get; }

    /// <summary>"reflect", "wrap", "constant" or "nearest".</summary>
    public string FillMode { get; }

    /// <summary>"bilinear" or "nearest".</summary>
    public string Interpolation { get; }

    /// <summary>The value of points outside the image with fillMode "constant".</summary>
    public float FillValue => _affine.FillValue;

    /// <summary>The seed given to the constructor (null: drawn from the global <see cref="Rng"/>).</summary>
    public int? Seed { get; }

    protected override int[] OutputShape(int[] input)
    {
        ImagePreprocessing.ExpectImages(this, input);
        return input;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        if (!training) return _affine.Skip(x);
        int n = x.Dim(0);
        var m = _affine.Matrices(n);
        for (int i = 0; i < n; i++)
        {
            float zy = (float)ImagePreprocessing.Uniform(_random, 1.0 + HeightRange.Lower, 1.0 + HeightRange.Upper);
            float zx = WidthRange is { } w ? (float)ImagePreprocessing.Uniform(_random, 1.0 + w.Lower, 1.0 + w.Upper) : zy;
            AffineAugmentation.Zoom(zx, zy, x.Dim(1), x.Dim(2), m.Slice(i * 6, 6));
        }
        return _affine.Apply(x);
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (needInputGradients) InputGradient = _affine.Backward(dy);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["height_factor"] = ImagePreprocessing.ToConfig(_heightFactor);   // as given, as Keras saves it
        c["width_factor"] = _widthFactor is null ? null : ImagePreprocessing.ToConfig(_widthFactor);
        c["fill_mode"] = FillMode;
        c["interpolation"] = Interpolation;
        c["seed"] = Seed;
        c["fill_value"] = FillValue;
        ImagePreprocessing.AddDataFormat(c);
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static RandomZoom FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new(ImagePreprocessing.ReadNumbers(c, "height_factor", [0.0]), c.Has("width_factor") ? ImagePreprocessing.ReadNumbers(c, "width_factor", [0.0]) : null,
            c.String("fill_mode", "reflect")!, c.String("interpolation", "bilinear")!, c.Has("seed") ? c.Int("seed", 0) : null, c.Float("fill_value", 0f), null, c.Name);
    }
}
