using DeepSharp.Backends;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// During training, drops whole channels (feature maps) of each image with probability <c>rate</c> and scales the rest
/// by 1/(1-rate); at inference it passes its input through (Keras 3's SpatialDropout2D,
/// keras/src/layers/regularization/spatial_dropout.py: noise shape (batch, 1, 1, channels)).
/// </summary>
/// <example><code>new SpatialDropout2D(0.2)</code></example>
public sealed class SpatialDropout2D : SingleInputLayer, ILayerFromConfig<SpatialDropout2D>
{
    private readonly System.Random _random;
    private Tensor? _y, _mask, _dx;
    private bool _applied;

    /// <param name="rate">The fraction of channels to drop, in [0, 1).</param>
    /// <param name="seed">A seed for the draws; by default one from DeepSharp's global generator.</param>
    /// <param name="name">The layer's name; generated (spatial_dropout2d, ...) when null.</param>
    public SpatialDropout2D(double rate, int? seed = null, string? name = null) : base(name)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), $"SpatialDropout2D '{Name}': rate must be in [0, 1), got {rate}.");
        Rate = (float)rate;
        Seed = seed;
        _random = seed is { } s ? new System.Random(s) : Rng.Fork();
    }

    public float Rate { get; }
    public int? Seed { get; }

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        return input;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _applied = training && Rate > 0;
        if (!_applied) return x;
        Tensor.Ensure(ref _y, x.Shape);
        Tensor.Ensure(ref _mask, [x.Dim(0), x.Dim(-1)]);
        Backend.Current.ChannelDropout(x, _y!, _mask!, Rate, _random);
        return _y!;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        if (!_applied) { InputGradient = dy; return; }
        Tensor.Ensure(ref _dx, dy.Shape);
        Backend.Current.ChannelDropoutBackward(dy, _mask!, _dx!);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rate"] = Rate;
        c["seed"] = Seed;
        c["data_format"] = "channels_last";
        return c;
    }

    /// <summary>Rebuilds a SpatialDropout2D from its Keras config.</summary>
    public static SpatialDropout2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new SpatialDropout2D(c.Float("rate", 0f), c.Has("seed") ? c.Int("seed", 0) : null, c.Name);
    }
}
