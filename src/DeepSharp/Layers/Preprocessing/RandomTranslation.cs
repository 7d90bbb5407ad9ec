using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// In training, shifts each image by a random fraction of its height and width (Keras: <c>layers.RandomTranslation</c>):
/// each factor is one number f for [-f, f] or a (lower, upper) pair in [-1, 1]; 0.2 moves by up to 20 % of the side,
/// a positive shift down or right. Fill and interpolation as <see cref="RandomRotation"/>. In inference it passes its input through.
/// </summary>
/// <remarks>
/// Follows keras/src/layers/preprocessing/image_preprocessing/random_translation.py: per image, dy = uniform(lower, upper)·h
/// and dx likewise·w, the matrix of <c>_get_translation_matrix</c> (output pixel (x, y) reads (x - dx, y - dy)), the numpy
/// backend's <c>affine_transform</c>.
/// </remarks>
/// <example><code>var shift = new RandomTranslation(0.1, 0.1, fillMode: "constant");</code></example>
public sealed class RandomTranslation : SingleInputLayer, ILayerFromConfig<RandomTranslation>
{
    private const string Meaning = "a fraction of the image's side";
    private readonly System.Random _random;
    private readonly AffineAugmentation _affine;
    private readonly double[] _heightFactor, _widthFactor;

    /// <summary>A shift by up to ±<paramref name="heightFactor"/> of the height and ±<paramref name="widthFactor"/> of the width.</summary>
    public RandomTranslation(double heightFactor, double widthFactor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
        double fillValue = 0.0, (int H, int W, int C)? inputShape = null, string? name = null)
        : this([heightFactor], [widthFactor], fillMode, interpolation, seed, fillValue, inputShape, name) { }

    /// <summary>A shift with each fraction drawn in its [Lower, Upper].</summary>
    public RandomTranslation((double Lower, double Upper) heightFactor, (double Lower, double Upper) widthFactor, string fillMode = "reflect",
        string interpolation = "bilinear", int? seed = null, double fillValue = 0.0, (int H, int W, int C)? inputShape = null, string? name = null)
        : this([heightFactor.Lower, heightFactor.Upper], [widthFactor.Lower, widthFactor.Upper], fillMode, interpolation, seed, fillValue, inputShape, name) { }

    private RandomTranslation(double[] heightFactor, double[] widthFactor, string fillMode, string interpolation, int? seed, double fillValue,
        (int H, int W, int C)? inputShape, string? name)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        _heightFactor = heightFactor;
        _widthFactor = widthFactor;
        HeightRange = ImagePreprocessing.Factor(this, "height_factor", heightFactor, -1, 1, openMin: false, Meaning);
        WidthRange = ImagePreprocessing.Factor(this, "width_factor", widthFactor, -1, 1, openMin: false, Meaning);
        FillMode = fillMode;
        Interpolation = interpolation;
        _affine = new AffineAugmentation(this, ImagePreprocessing.ParseFill(this, fillMode), ImagePreprocessing.ParseAffineInterpolation(this, interpolation), (float)fillValue);
        Seed = seed;
        _random = ImagePreprocessing.Random(seed);
    }

    /// <summary>The range of the vertical shift, in fractions of the height.</summary>
    public (double Lower, double Upper) HeightRange { get; }

    /// <summary>The range of the horizontal shift, in fractions of the width.</summary>
    public (double Lower, double Upper) WidthRange { get; }

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
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2);
        var m = _affine.Matrices(n);
        for (int i = 0; i < n; i++)
        {
            float dy = (float)(ImagePreprocessing.Uniform(_random, HeightRange.Lower, HeightRange.Upper) * h);
            float dx = (float)(ImagePreprocessing.Uniform(_random, WidthRange.Lower, WidthRange.Upper) * w);
            AffineAugmentation.Translation(dx, dy, m.Slice(i * 6, 6));
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
        c["height_factor"] = ImagePreprocessing.ToConfig(_heightFactor);
        c["width_factor"] = ImagePreprocessing.ToConfig(_widthFactor);
        c["fill_mode"] = FillMode;
        c["interpolation"] = Interpolation;
        c["seed"] = Seed;
        c["fill_value"] = FillValue;
        ImagePreprocessing.AddDataFormat(c);
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static RandomTranslation FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new(ImagePreprocessing.ReadNumbers(c, "height_factor", [0.0]), ImagePreprocessing.ReadNumbers(c, "width_factor", [0.0]),
            c.String("fill_mode", "reflect")!, c.String("interpolation", "bilinear")!, c.Has("seed") ? c.Int("seed", 0) : null, c.Float("fill_value", 0f), null, c.Name);
    }
}
