using DeepSharp;
using DeepSharp.Layers;
using DeepSharp.Saving;

/// <summary>
/// A custom layer: y = x * gamma + beta per channel (the last axis). It shows the four things a layer of your own
/// needs: weights from <c>AddWeight</c> in <c>Build</c>, <c>Forward</c>, <c>Backward</c>, and its config
/// (<c>GetConfig</c> to save, a static <c>FromConfig</c> to load). Its math is <c>Ops</c> calls (Keras' <c>keras.ops</c>),
/// which run on the backend's kernels, written into the layer's own tensors so that training allocates nothing per step.
/// </summary>
public sealed class ScaleShift : SingleInputLayer, ILayerFromConfig<ScaleShift>
{
    private Parameter? _gamma, _beta;
    private int[] _batchAxes = [];           // every axis but the channels: what a per-channel gradient sums over
    private Tensor? _x, _y, _dx, _dyTimesX;  // the layer's own buffers, reused every step (Ops' ref outputs)

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
        _batchAxes = Enumerable.Range(0, inputShape.Length).ToArray();   // the batch axis and all but the last of the sample's
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
        var c = base.GetConfig();          // name, trainable
        c["initial_scale"] = InitialScale;
        return c;
    }

    public static ScaleShift FromConfig(LayerConfig c) => new(c.Float("initial_scale", 1f), c.Name);
}
