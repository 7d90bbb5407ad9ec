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
    private Tensor? _x, _y, _dx;

    public ScaleShift(float initialScale = 1f, string? name = null) : base(name) => InitialScale = initialScale;

    public float InitialScale { get; }

    public Parameter Gamma => _gamma ?? throw new InvalidOperationException("not built");
    public Parameter Beta => _beta ?? throw new InvalidOperationException("not built");

    protected override int[] OutputShape(int[] inputShape) => inputShape;

    protected override void Build(int[] inputShape)
    {
        _gamma = AddWeight("gamma", [inputShape[^1]], new DeepSharp.Initializers.Constant(InitialScale));
        _beta = AddWeight("beta", [inputShape[^1]], "zeros");
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        if (_y is null || !_y.Shape.SequenceEqual(x.Shape)) _y = new Tensor(x.Shape.ToArray());
        var g = Gamma.Value.Span; var b = Beta.Value.Span;
        var xs = x.Span; var ys = _y.Span;
        int c = g.Length;
        for (int i = 0; i < xs.Length; i++) ys[i] = xs[i] * g[i % c] + b[i % c];
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        var g = Gamma.Value.Span; var dg = Gamma.Grad.Span; var db = Beta.Grad.Span;
        var xs = _x!.Span; var dys = dy.Span;
        int c = g.Length;
        dg.Clear(); db.Clear();
        for (int i = 0; i < xs.Length; i++) { dg[i % c] += dys[i] * xs[i]; db[i % c] += dys[i]; }
        if (!needInputGradients) { InputGradient = null; return; }
        if (_dx is null || !_dx.Shape.SequenceEqual(dy.Shape)) _dx = new Tensor(dy.Shape.ToArray());
        var dxs = _dx.Span;
        for (int i = 0; i < dxs.Length; i++) dxs[i] = dys[i] * g[i % c];
        InputGradient = _dx;
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
