namespace DeepSharp.Losses;

/// <summary>
/// A loss: the mean over the batch of a per-sample loss, and its gradient.
/// When the model's last layer ends in the activation named by <see cref="FusedActivation"/>
/// (softmax for the categorical losses, sigmoid for binary crossentropy), the loss works from
/// that layer's logits instead of its probabilities: the value stays finite and the gradient is
/// exactly (p - y)/N, as Keras does internally.
/// </summary>
public abstract class Loss
{
    /// <summary>Keras' name, e.g. "categorical_crossentropy".</summary>
    public abstract string Name { get; }

    /// <summary>The output activation this loss can fuse with, if any.</summary>
    public virtual ActivationKind? FusedActivation => null;

    /// <summary>
    /// Mean loss over the batch. Writes into <paramref name="gradient"/> dLoss/dPred, or dLoss/dLogits
    /// when <paramref name="logits"/> is given (fused).
    /// </summary>
    public abstract double Compute(Tensor predictions, Tensor? logits, Tensor targets, Span<float> gradient);

    /// <summary>Checks the targets against the model's output; throws a message that says how to fix it.</summary>
    public virtual void CheckTargets(ReadOnlySpan<int> outputShape, ReadOnlySpan<int> targetShape, string outputLayer)
    {
        if (!outputShape[1..].SequenceEqual(targetShape[1..]))
            throw Mismatch(outputShape, targetShape, outputLayer, "Labels must have the same shape as the model's output.");
    }

    private protected ArgumentException Mismatch(ReadOnlySpan<int> outputShape, ReadOnlySpan<int> targetShape, string outputLayer, string fix) =>
        new($"Loss '{Name}': labels have shape {Tensor.FormatShape(targetShape)} but the model's output (layer '{outputLayer}') " +
            $"has shape (None, {string.Join(", ", outputShape[1..].ToArray())}). {fix}");

    /// <summary>Keras' names convert to losses, so Compile takes "binary_crossentropy" or new BinaryCrossentropy() alike.</summary>
    public static implicit operator Loss(string name) => Get(name);

    /// <summary>Resolves Keras' loss names.</summary>
    public static Loss Get(string name) => name.ToLowerInvariant() switch
    {
        "categorical_crossentropy" => new CategoricalCrossentropy(),
        "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(),
        "binary_crossentropy" => new BinaryCrossentropy(),
        "mse" or "mean_squared_error" => new MeanSquaredError(),
        _ => throw new ArgumentException($"Unknown loss '{name}'. Expected one of: categorical_crossentropy, " +
            "sparse_categorical_crossentropy, binary_crossentropy, mean_squared_error (mse); or pass a Loss object."),
    };

    /// <summary>Keras' clipping epsilon for probabilities.</summary>
    internal const float Epsilon = 1e-7f;
}
