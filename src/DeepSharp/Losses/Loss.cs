using DeepSharp.Saving;

namespace DeepSharp.Losses;

/// <summary>
/// A loss: the mean over the batch of a per-sample loss, and its gradient (Keras' reduction "sum_over_batch_size").
/// When the model's last layer ends in the activation named by <see cref="FusedActivation"/>
/// (softmax for the categorical losses, sigmoid for binary crossentropy), the loss works from
/// that layer's logits instead of its probabilities: the value stays finite and the gradient is
/// exactly (p - y)/N, as Keras does internally. With <c>fromLogits: true</c> the model's outputs are the logits
/// themselves (no final activation) and the loss computes the same numbers from them.
/// </summary>
/// <example><code>
/// model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
/// model.Compile(optimizer: "adam", loss: new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1));
/// </code></example>
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

    /// <summary>Keras' class name, e.g. "CategoricalCrossentropy".</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>Keras' config of the loss object ({"name", "reduction"} plus its own arguments).</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["name"] = Name, ["reduction"] = "sum_over_batch_size" };

    /// <summary>True when the loss was given by name (saved as the name, as Keras does).</summary>
    internal bool GivenByName { get; private set; }

    /// <summary>Keras' names convert to losses, so Compile takes "binary_crossentropy" or new BinaryCrossentropy() alike.</summary>
    public static implicit operator Loss(string name) => Get(name);

    /// <summary>
    /// Resolves Keras' loss names (<c>keras/src/losses/__init__.py</c>): the function names, Keras' short aliases
    /// ("mse", "mae", "bce") and the class names; an unknown name is one error listing them.
    /// </summary>
    public static Loss Get(string name)
    {
        var loss = Names.Resolve(name);
        loss.GivenByName = true;
        return loss;
    }

    /// <summary>Keras' canonical loss names Compile takes, in the table's order (the CLI's --loss lists them).</summary>
    internal static IEnumerable<string> KnownNames => Names.Names;

    /// <summary>Whether <paramref name="name"/> is a loss name or alias Compile takes (any case).</summary>
    internal static bool IsKnownName(string? name) => Names.Contains(name);

    /// <summary>"categorical_crossentropy (CategoricalCrossentropy), ...": every name with its aliases, for messages.</summary>
    internal static string NameListing() => Names.Listing();

    private static readonly KerasNames<Loss> Names = new("loss", "; or pass a Loss object",
        ("categorical_crossentropy", ["CategoricalCrossentropy"], _ => new CategoricalCrossentropy()),
        ("sparse_categorical_crossentropy", ["SparseCategoricalCrossentropy"], _ => new SparseCategoricalCrossentropy()),
        ("binary_crossentropy", ["bce", "BinaryCrossentropy"], _ => new BinaryCrossentropy()),
        ("mean_squared_error", ["mse", "MeanSquaredError"], _ => new MeanSquaredError()),
        ("mean_absolute_error", ["mae", "MeanAbsoluteError"], _ => new MeanAbsoluteError()),
        ("huber", ["huber_loss"], _ => new Huber()),
        ("hinge", [], _ => new Hinge()));

    /// <summary>A loss from Keras' serialized object (<c>{"class_name": "CategoricalCrossentropy", "config": {...}}</c>).</summary>
    internal static Loss FromConfig(string className, LayerConfig c) => className switch
    {
        "BinaryCrossentropy" => new BinaryCrossentropy(c.Bool("from_logits", false), c.Float("label_smoothing", 0f)),
        "CategoricalCrossentropy" => new CategoricalCrossentropy(c.Bool("from_logits", false), c.Float("label_smoothing", 0f)),
        "SparseCategoricalCrossentropy" => c.Has("ignore_class")
            ? throw new NotSupportedException("SparseCategoricalCrossentropy: ignore_class is not supported by DeepSharp.")
            : new SparseCategoricalCrossentropy(c.Bool("from_logits", false)),
        "Huber" => new Huber(c.Float("delta", 1f)),
        _ => Names.Contains(className) ? Names.Resolve(className)
            : throw new NotSupportedException($"Unknown loss class '{className}'. Known losses: {Names.Listing()}."),
    };

    /// <summary>Keras' clipping epsilon for probabilities.</summary>
    internal const float Epsilon = 1e-7f;
}
