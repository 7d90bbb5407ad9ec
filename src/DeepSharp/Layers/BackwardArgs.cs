namespace DeepSharp.Layers;

/// <summary>
/// The arguments the graph executor passes to one layer's backward pass (<see cref="Layer.Backprop(Tensor, in BackwardArgs)"/>):
/// the model steers layers through these, never through flags set before and reset after a call.
/// </summary>
/// <param name="NeedInputGradients">Whether dLoss/dInput is wanted (<see cref="Layer.InputGradients"/>).</param>
/// <param name="WeightGradients">
/// False while a model takes a gradient with respect to inputs or activations only (<c>Model.Gradient</c>): the weights'
/// gradients are then left as they were.
/// </param>
/// <param name="FromLogits">
/// The gradient is dLoss/dLogits of this layer's softmax or sigmoid (the named fusion
/// <see cref="Backends.FusionPattern.ActivationWithCrossentropy"/>): the layer skips its output activation's derivative.
/// </param>
internal readonly record struct BackwardArgs(bool NeedInputGradients, bool WeightGradients = true, bool FromLogits = false);
