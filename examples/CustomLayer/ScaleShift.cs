using DeepSharp;
using DeepSharp.Layers;
using DeepSharp.Saving;

/// <summary>
/// A custom layer: y = x * gamma + beta per channel (the last axis). It shows the four things a layer of your own
/// needs: weights from <c>AddWeight</c> in <c>Build</c>, <c>Forward</c>, <c>Backward</c>, and its config
/// (<c>GetConfig</c> to save, a static <c>FromConfig</c> to load).
/// </summary>
public sealed class ScaleShift : SingleInputLayer, ILayerFromConfig<ScaleShift>
{
    private Parameter? _gamma, _beta;
    private Tensor? _x, _y, _dx;

    public ScaleShift(float initialScale = 1f, string? name = null) : base(name) => InitialScale = initialScale;

    /// <summary>The value gamma starts from (saved in the config as "initial_scale").</summary>
    public float InitialScale { get; }

    // (height, width, channels) in, the same shape out.
    protected override int[] OutputShape(int[] inputShape) => inputShape;

    // Called once the input shape is known: one gamma and one beta per channel, both trained.
    protected override void Build(int[] inputShape)
    {
        _gamma = AddWeight("gamma", [inputShape[^1]], new DeepSharp.Initializers.Constant(InitialScale));
        _beta = AddWeight("beta", [inputShape[^1]], "zeros");
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        if (_y is null || !_y.Shape.SequenceEqual(x.Shape)) _y = new Tensor(x.Shape.ToArray());   // reused between batches
        ReadOnlySpan<float> g = _gamma!.Value.Span, b = _beta!.Value.Span, xs = x.Span;
        var ys = _y.Span;
        for (int i = 0; i < xs.Length; i++) ys[i] = xs[i] * g[i % g.Length] + b[i % g.Length];
        return _y;
    }

    // dy = dLoss/dy. Write dLoss/dgamma and dLoss/dbeta into the weights' Grad, and dLoss/dx when asked.
    public override void Backward(Tensor dy, bool needInputGradients)
    {
        ReadOnlySpan<float> g = _gamma!.Value.Span, xs = _x!.Span, dys = dy.Span;
        Span<float> dg = _gamma.Grad.Span, db = _beta!.Grad.Span;
        dg.Clear();
        db.Clear();
        for (int i = 0; i < xs.Length; i++) { dg[i % g.Length] += dys[i] * xs[i]; db[i % g.Length] += dys[i]; }
        if (!needInputGradients) { InputGradient = null; return; }
        if (_dx is null || !_dx.Shape.SequenceEqual(dy.Shape)) _dx = new Tensor(dy.Shape.ToArray());
        var dxs = _dx.Span;
        for (int i = 0; i < dxs.Length; i++) dxs[i] = dys[i] * g[i % g.Length];
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();          // name, trainable
        c["initial_scale"] = InitialScale;
        return c;
    }

    public static ScaleShift FromConfig(LayerConfig c) => new(c.Float("initial_scale", 1f), c.Name);
}
