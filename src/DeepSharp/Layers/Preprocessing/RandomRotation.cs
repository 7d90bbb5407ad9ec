using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// In training, rotates each image by a random angle about its centre (Keras: <c>layers.RandomRotation</c>): <c>factor</c>
/// is a fraction of a full turn, one number f for [-f, f] or a (lower, upper) pair; 0.1 rotates by up to ±36°, a positive
/// angle counter-clockwise. Points read from outside the image follow <c>fillMode</c> ("reflect" by default, "wrap",
/// "constant" with <c>fillValue</c>, "nearest"); <c>interpolation</c> "bilinear" or "nearest". In inference it passes
/// its input through.
/// </summary>
/// <remarks>
/// Follows keras/src/layers/preprocessing/image_preprocessing/random_rotation.py: one angle per image, uniform in
/// [lower·360°, upper·360°], the matrix of <c>_compute_affine_matrix</c> about ((w-1)/2, (h-1)/2) in float32, applied as
/// the numpy backend's <c>affine_transform</c> (checked against it by tests/fixtures/keras3_preprocessing/make_fixtures.py).
/// </remarks>
/// <example><code>var augmentation = new Sequential(new RandomFlip("horizontal", inputShape: (180, 180, 3)), new RandomRotation(0.1), new RandomZoom(0.2));</code></example>
public sealed class RandomRotation : SingleInputLayer, ILayerFromConfig<RandomRotation>
{
    private readonly System.Random _random;
    private readonly AffineAugmentation _affine;

    /// <summary>A rotation by up to ±<paramref name="factor"/> of a full turn.</summary>
    public RandomRotation(double factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0.0,
        (int H, int W, int C)? inputShape = null, string? name = null)
        : this([factor], fillMode, interpolation, seed, fillValue, inputShape, name) { }

    /// <summary>A rotation between <paramref name="factor"/>.Lower and .Upper of a full turn (negative: clockwise).</summary>
    public RandomRotation((double Lower, double Upper) factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
        double fillValue = 0.0, (int H, int W, int C)? inputShape = null, string? name = null)
        : this([factor.Lower, factor.Upper], fillMode, interpolation, seed, fillValue, inputShape, name) { }

    private RandomRotation(double[] factor, string fillMode, string interpolation, int? seed, double fillValue, (int H, int W, int C)? inputShape, string? name)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        Factor = ImagePreprocessing.Factor(this, "factor", factor, -1, 1, openMin: false, "a fraction of a full turn, e.g. 0.1 for up to ±36°");
        FillMode = fillMode;
        Interpolation = interpolation;
        _affine = new AffineAugmentation(this, ImagePreprocessing.ParseFill(this, fillMode), ImagePreprocessing.ParseAffineInterpolation(this, interpolation), (float)fillValue);
        Seed = seed;
        _random = ImagePreprocessing.Random(seed);
    }

    /// <summary>The range of the rotation, in fractions of a full turn (Keras saves it as "factor").</summary>
    public (double Lower, double Upper) Factor { get; }

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
            float degrees = (float)ImagePreprocessing.Uniform(_random, Factor.Lower * 360.0, Factor.Upper * 360.0);
            AffineAugmentation.Rotation(degrees, x.Dim(1), x.Dim(2), m.Slice(i * 6, 6));
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
        c["factor"] = new[] { Factor.Lower, Factor.Upper };
        ImagePreprocessing.AddDataFormat(c);
        c["fill_mode"] = FillMode;
        c["fill_value"] = FillValue;
        c["interpolation"] = Interpolation;
        c["seed"] = Seed;
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static RandomRotation FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new(ImagePreprocessing.ReadNumbers(c, "factor", [0.0]), c.String("fill_mode", "reflect")!, c.String("interpolation", "bilinear")!,
            c.Has("seed") ? c.Int("seed", 0) : null, c.Float("fill_value", 0f), null, c.Name);
    }
}
