using DeepSharp.Gpu.Kernels;

namespace DeepSharp.Gpu;

// The training step's device-only parts that IBackend does not list yet (its losses and optimizer updates work on host
// spans): the fused softmax + categorical crossentropy and RMSprop on device tensors. Issue 22 moves IBackend's
// signatures to tensors; until then these are the GPU forms the tests check.
internal sealed partial class IlgpuBackend
{
    /// <summary>
    /// Softmax + categorical crossentropy from the logits z (N, C) and one-hot targets (N, C), as
    /// <c>Losses.CategoricalCrossentropy</c>'s fused path: probabilities = softmax(z), dLogits = (p·Σy - y)/N, rowLoss (N)
    /// each row's loss (their mean is the batch loss: the one value a step copies to the host).
    /// </summary>
    public void SoftmaxCrossentropy(Tensor logits, Tensor targets, Tensor probabilities, Tensor dLogits, Tensor rowLoss)
    {
        const string op = nameof(SoftmaxCrossentropy);
        int batch = logits.Dim(0), width = logits.Size / Math.Max(batch, 1);
        if (targets.Size != logits.Size || probabilities.Size != logits.Size || dLogits.Size != logits.Size || rowLoss.Size < batch)
            throw new ArgumentException($"IlgpuBackend.{op}: logits {Tensor.FormatShape(logits.Shape)}, targets {Tensor.FormatShape(targets.Shape)}, " +
                $"probabilities {Tensor.FormatShape(probabilities.Shape)} and dLogits {Tensor.FormatShape(dLogits.Shape)} must have one shape, rowLoss {batch} values (it has {rowLoss.Size}).");
        var z = View(logits, nameof(logits), op);
        var t = View(targets, nameof(targets), op);
        var p = View(probabilities, nameof(probabilities), op);
        var dz = View(dLogits, nameof(dLogits), op);
        var loss = View(rowLoss, nameof(rowLoss), op);
        if (batch > 0) _softmaxCrossentropy(batch, z, t, p, dz, loss, width, batch);
    }

    /// <summary>
    /// Keras' RMSprop on device tensors (ε inside the root): a = ρa + (1-ρ)g²; w -= lr·g/√(a+ε), or through the momentum
    /// slot <paramref name="velocity"/> when <paramref name="momentum"/> &gt; 0 (the same formula as IBackend.RmsPropUpdate).
    /// </summary>
    public void RmsPropUpdate(Tensor w, Tensor g, Tensor average, Tensor? velocity, float learningRate, float rho, float epsilon, float momentum)
    {
        const string op = nameof(RmsPropUpdate);
        if (momentum > 0 && velocity is null)
            throw new ArgumentNullException(nameof(velocity), $"IlgpuBackend.{op}: momentum {momentum} needs the velocity slot.");
        var wv = View(w, nameof(w), op);
        var gv = View(g, nameof(g), op);
        var av = View(average, nameof(average), op);
        var vv = ViewOrNone(momentum > 0 ? velocity : null, nameof(velocity), op);
        if (w.Size > 0)
            _rmsProp(w.Size, wv, gv, av, vv, new ElementwiseKernels.RmsPropArgs { LearningRate = learningRate, Rho = rho, Epsilon = epsilon, Momentum = momentum });
    }
}
