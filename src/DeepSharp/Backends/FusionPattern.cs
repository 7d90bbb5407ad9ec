namespace DeepSharp.Backends;

/// <summary>
/// Fusions that span two layers, which the graph executor asks a backend for by name (<see cref="IBackend.Fuses"/>)
/// instead of steering layers through flags.
/// </summary>
internal enum FusionPattern
{
    /// <summary>
    /// A convolution (ReLU or no activation) whose only consumer is a max pooling with non-overlapping windows, and
    /// which needs no input gradient: its weight gradients come straight from the pooling's unscattered gradient
    /// (<see cref="IBackend.TryConv2DBackwardThroughMaxPool"/>).
    /// </summary>
    ConvThenMaxPool,

    /// <summary>
    /// A final softmax (or sigmoid) with the crossentropy that matches it: the loss reads the logits and hands back
    /// dLoss/dLogits, so the activation's backward is skipped and log(0) never happens.
    /// </summary>
    ActivationWithCrossentropy,
}
