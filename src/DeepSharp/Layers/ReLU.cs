using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Keras' ReLU layer: max(x, 0) by default; <c>maxValue</c> caps it (ReLU6: 6), <c>negativeSlope</c> lets
/// values below <c>threshold</c> through scaled. ONNX import uses it for Relu with Clip bounds.
/// </summary>
/// <example><code>new ReLU(maxValue: 6f)</code></example>
public sealed class ReLU : SingleInputLayer, ILayerFromConfig<ReLU>
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static ReLU FromConfig(LayerConfig c) =>
        new(c.Has("max_value") ? c.Float("max_value", 0f) : null, c.Float("negative_slope", 0f), c.Float("threshold", 0f), c.Name);

    private Tensor? _x, _y, _dx;

    public ReLU(double? maxValue = null, double negativeSlope = 0, double threshold = 0, string? name = null) : base(name)
    {
        if (maxValue is { } cap && !(cap >= 0)) throw new ArgumentOutOfRangeException(nameof(maxValue), $"ReLU '{Name}': maxValue must not be negative, got {maxValue}.");
        if (!(negativeSlope >= 0) || double.IsInfinity(negativeSlope)) throw new ArgumentOutOfRangeException(nameof(negativeSlope), $"ReLU '{Name}': negativeSlope must be a finite number ≥ 0, got {negativeSlope}.");
        if (double.IsNaN(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), $"ReLU '{Name}': threshold must be a number, got NaN.");
        MaxValue = (float?)maxValue;
        NegativeSlope = (float)negativeSlope;
        Threshold = (float)threshold;
    }

    /// <summary>The cap (null: none).</summary>
    public float? MaxValue { get; }
    public float NegativeSlope { get; }
    public float Threshold { get; }

    protected override int[] OutputShape(int[] input) => input;

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, x.Shape);
        Backend.Current.Relu(x, _y!, MaxValue ?? float.PositiveInfinity, NegativeSlope, Threshold);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, dy.Shape);
        Backend.Current.ReluBackward(_x!, dy, _dx!, MaxValue ?? float.PositiveInfinity, NegativeSlope, Threshold);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["max_value"] = MaxValue;
        c["negative_slope"] = NegativeSlope;
        c["threshold"] = Threshold;
        return c;
    }
}
