namespace DeepSharp.Gradients;

/// <summary>
/// What <c>Model.ComputeGradients</c> returns: the batch's mean loss and one gradient per trainable weight.
/// The gradient tensors are the weights' own <c>Parameter.Grad</c> buffers: the next call overwrites them
/// (clone them to keep them).
/// </summary>
/// <param name="Loss">The mean loss over the batch.</param>
/// <param name="Gradients">dLoss/dWeight for every trainable weight, in the model's weight order.</param>
/// <example><code>
/// var (loss, gradients) = model.ComputeGradients(xBatch, yBatch);
/// optimizer.ApplyGradients(gradients);
/// </code></example>
public readonly record struct LossAndGradients(double Loss, IReadOnlyList<WeightGradient> Gradients);
