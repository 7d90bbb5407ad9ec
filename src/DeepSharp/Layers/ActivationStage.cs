using DeepSharp.Backends;

namespace DeepSharp.Layers;

/// <summary>
/// The activation at the end of Conv2D, Dense and Activation: applies it after the layer's linear part and
/// turns dLoss/dOutput back into dLoss/dPre-activation. ReLU is folded into the backend's linear op; softmax or
/// sigmoid fused with the loss keep the logits and pass the loss's gradient through unchanged.
/// </summary>
internal sealed class ActivationStage(ActivationKind kind)
{
    private Tensor? _logits, _dz;

    public ActivationKind Kind { get; } = kind;

    /// <summary>Whether the backend applies this activation in the linear op's store (ReLU; a loss only fuses softmax or sigmoid).</summary>
    public bool InEpilogue => Kind == ActivationKind.Relu;

    public Tensor? Logits => _logits;

    /// <summary>
    /// y holds the linear part (or already the ReLU); applies the activation in place. Softmax and sigmoid keep their
    /// logits (for a loss fused with them, and for class scores taken before the activation).
    /// </summary>
    public void Apply(Tensor y)
    {
        if (Kind is ActivationKind.Linear or ActivationKind.Relu) return;
        if (Kind is ActivationKind.Softmax or ActivationKind.Sigmoid)
        {
            Tensor.Ensure(ref _logits, y.Shape);
            y.Span.CopyTo(_logits.Span);
        }
        Backend.Current.Activation(Kind, y, y);
    }

    /// <summary>dLoss/dPre-activation from dy and the output y; <paramref name="fromLogits"/>: dy already is dLoss/dLogits (the fused loss).</summary>
    public Tensor Backprop(Tensor y, Tensor dy, bool fromLogits)
    {
        if (Kind == ActivationKind.Linear || fromLogits) return dy;
        Tensor.Ensure(ref _dz, dy.Shape);
        Backend.Current.ActivationBackward(Kind, y, dy, _dz);
        return _dz;
    }
}
