using DeepSharp.Backends;

namespace DeepSharp.Layers;

/// <summary>
/// The activation at the end of Conv2D, Dense and Activation: applies it after the layer's linear part and
/// turns dLoss/dOutput back into dLoss/dPre-activation. ReLU is folded into the backend's linear op; every other
/// activation keeps its input (the logits of a softmax or sigmoid fused with the loss, which then passes the loss's
/// gradient through unchanged; the input that gelu's or silu's derivative needs).
/// </summary>
internal sealed class ActivationStage(ActivationKind kind)
{
    private Tensor? _logits, _dz;

    public ActivationKind Kind { get; } = kind;

    /// <summary>Whether the backend applies this activation in the linear op's store (ReLU; a loss only fuses softmax or sigmoid).</summary>
    public bool InEpilogue => Kind == ActivationKind.Relu;

    /// <summary>The logits of a softmax or sigmoid (null for other activations).</summary>
    public Tensor? Logits => Kind is ActivationKind.Softmax or ActivationKind.Sigmoid ? _logits : null;

    /// <summary>
    /// y holds the linear part (or already the ReLU); applies the activation in place, keeping its input (softmax's and
    /// sigmoid's logits serve a loss fused with them and class scores taken before the activation).
    /// </summary>
    public void Apply(Tensor y)
    {
        if (Kind is ActivationKind.Linear or ActivationKind.Relu) return;
        Tensor.Ensure(ref _logits, y.Shape);
        y.Span.CopyTo(_logits.Span);
        Backend.Current.Activation(Kind, y, y);
    }

    /// <summary>dLoss/dPre-activation from dy and the output y; <paramref name="fromLogits"/>: dy already is dLoss/dLogits (the fused loss).</summary>
    public Tensor Backprop(Tensor y, Tensor dy, bool fromLogits)
    {
        if (Kind == ActivationKind.Linear || fromLogits) return dy;
        Tensor.Ensure(ref _dz, dy.Shape);
        Backend.Current.ActivationBackward(Kind, _logits ?? y, y, dy, _dz);   // no kept input: ReLU, which reads y
        return _dz;
    }
}
