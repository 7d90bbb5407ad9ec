using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// In training, scales each image's contrast by a random factor (Keras: <c>layers.RandomContrast</c>): per channel,
/// y = (x - mean) · c + mean with the mean over the image's pixels, then clipped to <c>valueRange</c>. The factor c is
/// drawn per image in [1 - lower, 1 + upper]; as Keras 3's code does, one number f gives the range [1, 1 + f] (its
/// lower end is raised to 0) and a pair (f, f) gives [1 - f, 1 + f]; each number in [0, 1]. In inference it passes its
/// input through.
/// </summary>
/// <remarks>Follows keras/src/layers/preprocessing/image_preprocessing/random_contrast.py (<c>_adjust_contrast</c>, then clip).</remarks>
/// <example><code>var contrast = new RandomContrast((0.2, 0.2), valueRange: (0, 1));   // factor in [0.8, 1.2] on 0–1 images</code></example>
public sealed class RandomContrast : SingleInputLayer, ILayerFromConfig<RandomContrast>
{
    private readonly System.Random _random;
    private readonly double[] _valueRange;
    private Tensor? _y;
    private double[] _means = [];
    private bool _applied;

    /// <summary>A contrast factor in [1, 1 + <paramref name="factor"/>] (Keras 3's reading of one number).</summary>
    public RandomContrast(double factor, (double Low, double High)? valueRange = null, int? seed = null, (int H, int W, int C)? inputShape = null, string? name = null)
        : this([factor], valueRange is { } v ? [v.Low, v.High] : [0, 255], seed, inputShape, name) { }

    /// <summary>A contrast factor in [1 - <paramref name="factor"/>.Lower, 1 + <paramref name="factor"/>.Upper].</summary>
    public RandomContrast((double Lower, double Upper) factor, (double Low, double High)? valueRange = null, int? seed = null,
        (int H, int W, int C)? inputShape = null, string? name = null)
        : this([factor.Lower, factor.Upper], valueRange is { } v ? [v.Low, v.High] : [0, 255], seed, inputShape, name) { }

    private RandomContrast(double[] factor, double[] valueRange, int? seed, (int H, int W, int C)? inputShape, string? name)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        Factor = ImagePreprocessing.Factor(this, "factor", factor, 0, 1, openMin: false, "the contrast factor is drawn in [1 - lower, 1 + upper]");
        _valueRange = valueRange;
        ValueRange = ImagePreprocessing.ValueRange(this, valueRange);
        Seed = seed;
        _random = ImagePreprocessing.Random(seed);
    }

    /// <summary>(lower, upper): the factor is drawn in [1 - lower, 1 + upper].</summary>
    public (double Lower, double Upper) Factor { get; }

    /// <summary>The range the output is clipped to (the pixels' range: (0, 255) by default).</summary>
    public (double Low, double High) ValueRange { get; }

    /// <summary>The seed given to the constructor (null: drawn from the global <see cref="Rng"/>).</summary>
    public int? Seed { get; }

    protected override int[] OutputShape(int[] input)
    {
        ImagePreprocessing.ExpectImages(this, input);
        return input;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _applied = training;
        if (!training) return x;
        Tensor.Ensure(ref _y, x.Shape);
        for (int b = 0; b < x.Dim(0); b++)
            Adjust(x, _y!, b, (float)ImagePreprocessing.Uniform(_random, 1.0 - Factor.Lower, 1.0 + Factor.Upper));
        return _y!;
    }

    /// <summary>Image <paramref name="b"/> of x with contrast factor <paramref name="factor"/>, clipped, into y.</summary>
    internal void Adjust(Tensor x, Tensor y, int b, float factor)
    {
        int pixels = x.Dim(1) * x.Dim(2), c = x.Dim(3), start = b * pixels * c;
        if (_means.Length < c) _means = new double[c];
        Array.Clear(_means, 0, c);
        var src = x.Span.Slice(start, pixels * c);
        var dst = y.Span.Slice(start, pixels * c);
        for (int p = 0; p < pixels; p++)
            for (int k = 0; k < c; k++) _means[k] += src[p * c + k];
        float lo = (float)ValueRange.Low, hi = (float)ValueRange.High;
        for (int p = 0; p < pixels; p++)
            for (int k = 0; k < c; k++)
            {
                float mean = (float)(_means[k] / pixels);
                dst[p * c + k] = Math.Clamp((src[p * c + k] - mean) * factor + mean, lo, hi);
            }
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (needInputGradients) InputGradient = _applied ? throw ImagePreprocessing.NoTrainingGradient(this) : dy;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["factor"] = new[] { Factor.Lower, Factor.Upper };
        c["value_range"] = _valueRange.ToArray();
        c["seed"] = Seed;
        ImagePreprocessing.AddDataFormat(c);
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static RandomContrast FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new(ImagePreprocessing.ReadNumbers(c, "factor", [0.0]), ImagePreprocessing.ReadNumbers(c, "value_range", [0, 255]),
            c.Has("seed") ? c.Int("seed", 0) : null, null, c.Name);
    }
}
