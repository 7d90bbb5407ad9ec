using DeepSharp.Backends.Cpu;

namespace DeepSharp.Layers;

/// <summary>
/// The activation at the end of Conv2D, Dense and Activation: applies it after the layer's linear part and
/// turns dLoss/dOutput back into dLoss/dPre-activation. ReLU is folded into the GEMM's store; softmax or
/// sigmoid fused with the loss keep the logits and pass the loss's gradient through unchanged.
/// </summary>
internal sealed class ActivationStage(ActivationKind kind)
{
    private Tensor? _logits, _dz;

    public ActivationKind Kind { get; } = kind;

    /// <summary>The GEMM epilogue that applies this activation for free (ReLU only).</summary>
    public Backends.Cpu.Epilogue Epilogue(bool fused) =>
        Kind == ActivationKind.Relu && !fused ? Backends.Cpu.Epilogue.Relu : Backends.Cpu.Epilogue.None;

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
        ActivationOps.Forward(Kind, y.Span, y.Span, y.Dim(-1));
    }

    /// <summary>
    /// Like <see cref="Backprop(Tensor, Tensor, bool)"/>, and also writes the bias gradient (column sums of dLoss/dPre-activation over
    /// the last axis) when it can do both in one pass (ReLU); biasDone says whether it did.
    /// </summary>
    public Tensor Backprop(Tensor y, Tensor dy, bool fused, Tensor? dBias, out bool biasDone)
    {
        biasDone = false;
        if (Kind == ActivationKind.Relu && !fused && dBias is not null)
        {
            Tensor.Ensure(ref _dz, dy.Shape);
            int cols = y.Dim(-1);
            biasDone = ActivationOps.ReluBackwardWithColumnSums(y.Data, dy.Data, _dz.Data, y.Size / cols, cols, dBias.Span);
            if (biasDone) return _dz;
        }
        return Backprop(y, dy, fused);
    }

    /// <summary>dLoss/dPre-activation from dLoss/dOutput dy and the output y.</summary>
    public Tensor Backprop(Tensor y, Tensor dy, bool fused)
    {
        if (Kind == ActivationKind.Linear || fused) return dy;
        Tensor.Ensure(ref _dz, dy.Shape);
        if (Kind == ActivationKind.Relu)
        {
            ActivationOps.ReluBackward(y.Data, dy.Data, _dz.Data, y.Size);   // vectorized, on all cores when large
            return _dz;
        }
        ActivationOps.Backward(Kind, y.Span, dy.Span, _dz.Span, y.Dim(-1));
        return _dz;
    }
}
