using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// During training, sets a fraction <c>rate</c> of its inputs to zero and scales the rest by 1/(1-rate);
/// at inference it passes its input through.
/// </summary>
/// <example><code>new Dropout(0.5)</code></example>
public sealed class Dropout : SingleInputLayer, ILayerFromConfig<Dropout>
{
    private readonly System.Random _random;
    private Tensor? _y, _mask, _dx;
    private bool _applied;

    public Dropout(double rate, int? seed = null, string? name = null) : base(name)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), $"Dropout '{Name}': rate must be in [0, 1), got {rate}.");
        Rate = (float)rate;
        _random = seed is { } s ? new System.Random(s) : Rng.Fork();
    }

    public float Rate { get; }

    protected override int[] OutputShape(int[] input) => input;

    public override Tensor Forward(Tensor x, bool training)
    {
        _applied = training && Rate > 0;
        if (!_applied) return x;
        Tensor.Ensure(ref _y, x.Shape);
        Tensor.Ensure(ref _mask, x.Shape);
        Backend.Current.Dropout(x, _y!, _mask!, Rate, _random);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        if (!_applied) { InputGradient = dy; return; }
        Tensor.Ensure(ref _dx, dy.Shape);
        Backend.Current.DropoutBackward(dy, _mask!, _dx!);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rate"] = Rate;
        c["seed"] = null;
        c["noise_shape"] = null;
        return c;
    }

    /// <summary>Rebuilds a Dropout from its Keras config.</summary>
    public static Dropout FromConfig(LayerConfig c) => new(c.Float("rate", 0f), c.Has("seed") ? c.Int("seed", 0) : null, c.Name);
}
