using DeepSharp.Layers;

namespace DeepSharp.Gradients;

/// <summary>
/// One weight and its gradient, as <c>Model.ComputeGradients</c> returns them and <c>Optimizer.ApplyGradients</c>
/// takes them (Keras: <c>zip(grads, model.trainable_weights)</c>).
/// </summary>
/// <param name="Weight">The weight to update.</param>
/// <param name="Gradient">dLoss/dWeight, the weight's shape.</param>
public readonly record struct WeightGradient(Parameter Weight, Tensor Gradient);
