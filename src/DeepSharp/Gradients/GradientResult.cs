namespace DeepSharp.Gradients;

/// <summary>
/// What <c>Model.Gradient</c> returns: the gradient of a scalar objective with respect to the model input or a
/// layer's output, that tensor's value, and the objective per sample. All three are copies the caller owns.
/// </summary>
/// <example><code>
/// var r = model.Gradient(image, Objective.ClassScore(3), withRespectTo: model.GetLayer("conv2d_2"));
/// // r.Value: the layer's activations (1, 7, 7, 64); r.Gradient: d score / d activations, same shape.
/// </code></example>
public sealed class GradientResult
{
    internal GradientResult(Tensor gradient, Tensor value, double[] objective)
    {
        Gradient = gradient;
        Value = value;
        Objective = objective;
    }

    /// <summary>d(objective)/d(the tensor asked for), shape (batch, ...) like <see cref="Value"/>.</summary>
    public Tensor Gradient { get; }

    /// <summary>The tensor the gradient is taken with respect to, as the forward pass computed it (the input, or the layer's output).</summary>
    public Tensor Value { get; }

    /// <summary>The objective's value for each sample (the gradient is that of their sum: each sample's own gradient in inference mode).</summary>
    public double[] Objective { get; }
}
