using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Keras' LeakyReLU: x for x ≥ 0, negativeSlope·x below (Keras' default slope 0.3; ONNX's is 0.01).</summary>
/// <example><code>new LeakyReLU(negativeSlope: 0.1f)</code></example>
public sealed class LeakyReLU : SingleInputLayer, ILayerFromConfig<LeakyReLU>
{
    /// <summary>Rebuilds the layer from its Keras config (Keras 3's negative_slope, Keras 2's alpha).</summary>
    public static LeakyReLU FromConfig(LayerConfig c) => new(c.Float("negative_slope", c.Float("alpha", 0.3f)), c.Name);

    private Tensor? _x, _y, _dx;

    public LeakyReLU(double negativeSlope = 0.3, string? name = null) : base(name)
    {
        if (!(negativeSlope >= 0) || double.IsInfinity(negativeSlope)) throw new ArgumentOutOfRangeException(nameof(negativeSlope), $"LeakyReLU '{Name}': negativeSlope must be a finite number ≥ 0, got {negativeSlope}.");
        NegativeSlope = (float)negativeSlope;
    }

    public float NegativeSlope { get; }

    protected override int[] OutputShape(int[] input) => input;

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, x.Shape);
        Backend.Current.Relu(x, _y!, float.PositiveInfinity, NegativeSlope, 0f);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, dy.Shape);
        Backend.Current.ReluBackward(_x!, dy, _dx!, float.PositiveInfinity, NegativeSlope, 0f);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["negative_slope"] = NegativeSlope;
        return c;
    }
}
