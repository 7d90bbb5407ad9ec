using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// In training, adds a random brightness shift to each image (Keras: <c>layers.RandomBrightness</c>): a draw in
/// [lower, upper] (one number f: [-f, f]; each in [-1, 1]) times the width of <c>valueRange</c>, added to every pixel,
/// then clipped to <c>valueRange</c>: -1 makes the image black, 1 white. In inference it passes its input through.
/// </summary>
/// <remarks>Follows keras/src/layers/preprocessing/image_preprocessing/random_brightness.py.</remarks>
/// <example><code>var brightness = new RandomBrightness(0.2);   // up to ±51 on 0–255 pixels</code></example>
public sealed class RandomBrightness : SingleInputLayer, ILayerFromConfig<RandomBrightness>
{
    private readonly System.Random _random;
    private Tensor? _y;
    private bool _applied;

    /// <summary>A shift by up to ±<paramref name="factor"/> of the value range.</summary>
    public RandomBrightness(double factor, (double Low, double High)? valueRange = null, int? seed = null, (int H, int W, int C)? inputShape = null, string? name = null)
        : this([factor], valueRange is { } v ? [v.Low, v.High] : [0, 255], seed, inputShape, name) { }

    /// <summary>A shift drawn in [<paramref name="factor"/>.Lower, .Upper] of the value range.</summary>
    public RandomBrightness((double Lower, double Upper) factor, (double Low, double High)? valueRange = null, int? seed = null,
        (int H, int W, int C)? inputShape = null, string? name = null)
        : this([factor.Lower, factor.Upper], valueRange is { } v ? [v.Low, v.High] : [0, 255], seed, inputShape, name) { }

    private RandomBrightness(double[] factor, double[] valueRange, int? seed, (int H, int W, int C)? inputShape, string? name)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        Factor = ImagePreprocessing.Factor(this, "factor", factor, -1, 1, openMin: false, "a fraction of the value range; -1 black, 1 white");
        ValueRange = ImagePreprocessing.ValueRange(this, valueRange);
        Seed = seed;
        _random = ImagePreprocessing.Random(seed);
    }

    /// <summary>(lower, upper): the shift is drawn in this range, as a fraction of the value range.</summary>
    public (double Lower, double Upper) Factor { get; }

    /// <summary>The pixels' range (sorted), (0, 255) by default: the shift's unit and the output's clip.</summary>
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
            Shift(x, _y!, b, (float)(ImagePreprocessing.Uniform(_random, Factor.Lower, Factor.Upper) * (ValueRange.High - ValueRange.Low)));
        return _y!;
    }

    /// <summary>Image <paramref name="b"/> of x plus <paramref name="delta"/>, clipped to the value range, into y.</summary>
    internal void Shift(Tensor x, Tensor y, int b, float delta)
    {
        int size = x.Size / x.Dim(0), start = b * size;
        float lo = (float)ValueRange.Low, hi = (float)ValueRange.High;
        var src = x.Span.Slice(start, size);
        var dst = y.Span.Slice(start, size);
        for (int i = 0; i < size; i++) dst[i] = Math.Clamp(src[i] + delta, lo, hi);
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
        c["value_range"] = new[] { ValueRange.Low, ValueRange.High };
        c["seed"] = Seed;
        ImagePreprocessing.AddDataFormat(c);
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static RandomBrightness FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new(ImagePreprocessing.ReadNumbers(c, "factor", [0.0]), ImagePreprocessing.ReadNumbers(c, "value_range", [0, 255]),
            c.Has("seed") ? c.Int("seed", 0) : null, null, c.Name);
    }
}
