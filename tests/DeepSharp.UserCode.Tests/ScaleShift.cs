using DeepSharp;
using DeepSharp.Layers;
using DeepSharp.Saving;

namespace DeepSharp.UserCode.Tests;

/// <summary>
/// A user's layer, written only against DeepSharp's public API: y = x * gamma + beta per channel (last axis),
/// gamma starting at <see cref="InitialScale"/>, beta at zero.
/// </summary>
public sealed class ScaleShift : SingleInputLayer, ILayerFromConfig<ScaleShift>
{
    private Parameter? _gamma, _beta;
    private int[] _batchAxes = [];           // every axis but the channels: what a per-channel gradient sums over
    private Tensor? _x, _y, _dx, _dyTimesX;  // the layer's own buffers, reused every step (Ops' ref outputs)

    public ScaleShift(float initialScale = 1f, string? name = null) : base(name) => InitialScale = initialScale;

    public float InitialScale { get; }

    public Parameter Gamma => _gamma ?? throw new InvalidOperationException("not built");
    public Parameter Beta => _beta ?? throw new InvalidOperationException("not built");

    protected override int[] OutputShape(int[] inputShape) => inputShape;

    protected override void Build(int[] inputShape)
    {
        _gamma = AddWeight("gamma", [inputShape[^1]], new DeepSharp.Initializers.Constant(InitialScale));
        _beta = AddWeight("beta", [inputShape[^1]], "zeros");
        _batchAxes = Enumerable.Range(0, inputShape.Length).ToArray();
    }

    // y = x ⊙ gamma + beta, gamma and beta broadcast over the channels (the last axis).
    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Ops.Multiply(x, _gamma!.Value, ref _y);
        return Ops.Add(_y, _beta!.Value, ref _y);   // in place
    }

    // dy = dLoss/dy. dLoss/dgamma = Σ dy ⊙ x and dLoss/dbeta = Σ dy over every axis but the channels, written into the
    // weights' Grad; dLoss/dx = dy ⊙ gamma when asked.
    public override void Backward(Tensor dy, bool needInputGradients)
    {
        Tensor? dGamma = _gamma!.Grad, dBeta = _beta!.Grad;
        Ops.Sum(Ops.Multiply(dy, _x!, ref _dyTimesX), _batchAxes, keepdims: false, ref dGamma);
        Ops.Sum(dy, _batchAxes, keepdims: false, ref dBeta);
        InputGradient = needInputGradients ? Ops.Multiply(dy, _gamma.Value, ref _dx) : null;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["initial_scale"] = InitialScale;
        return c;
    }

    public static ScaleShift FromConfig(LayerConfig c) => new(c.Float("initial_scale", 1f), c.Name);
}

/// <summary>A layer that is never registered: loading a model that holds it must say how to register it.</summary>
public sealed class NeverRegistered(string? name = null) : SingleInputLayer(name), ILayerFromConfig<NeverRegistered>
{
    protected override int[] OutputShape(int[] inputShape) => inputShape;
    public override Tensor Forward(Tensor x, bool training) => x;
    public override void Backward(Tensor dy, bool needInputGradients) => InputGradient = needInputGradients ? dy : null;
    public static NeverRegistered FromConfig(LayerConfig c) => new(c.Name);
}
