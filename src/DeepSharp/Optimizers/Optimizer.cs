using DeepSharp.Gradients;
using DeepSharp.Layers;

namespace DeepSharp.Optimizers;

/// <summary>
/// Updates weights from their gradients. A subclass is one <see cref="UpdateStep"/> (as in Keras 3) over
/// a weight, its gradient and its own state slots (momentum, moving averages), which are created on first use.
/// </summary>
/// <example><code>
/// model.Compile(optimizer: new RMSprop(learningRate: 1e-4), loss: "binary_crossentropy");
/// model.Compile(optimizer: "adam", loss: "categorical_crossentropy");
/// </code></example>
public abstract class Optimizer
{
    private readonly Dictionary<Parameter, float[][]> _slots = new();

    protected Optimizer(double learningRate)
    {
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), $"{GetType().Name}: learningRate must be positive, got {learningRate}.");
        LearningRate = learningRate;
    }

    /// <summary>The step size (Keras: learning_rate); the update itself runs in float32.</summary>
    public double LearningRate { get; set; }

    /// <summary>Update steps taken so far (Keras: iterations); Adam's bias correction uses it.</summary>
    public long Iterations { get; internal set; }

    /// <summary>How many state arrays each weight needs.</summary>
    protected abstract int SlotCount { get; }

    /// <summary>Keras' name: "rmsprop", "sgd", "adam".</summary>
    public abstract string Name { get; }

    /// <summary>Updates one weight in place. <paramref name="slots"/> are this weight's state arrays.</summary>
    protected abstract void UpdateStep(Span<float> weight, ReadOnlySpan<float> gradient, float[][] slots, long step);

    /// <summary>One step over every trainable weight.</summary>
    public void Apply(IReadOnlyList<Parameter> parameters)
    {
        Iterations++;
        foreach (var p in parameters)
        {
            if (!p.Trainable) continue;
            UpdateStep(p.Value.Span, p.Grad.Span, Slots(p), Iterations);
        }
    }

    /// <summary>
    /// One step over the given weights with the given gradients (Keras: apply_gradients), e.g. those
    /// <c>Model.ComputeGradients</c> returned; <c>Fit</c>'s step is the same two calls.
    /// </summary>
    /// <example><code>
    /// var (loss, gradients) = model.ComputeGradients(xBatch, yBatch);
    /// optimizer.ApplyGradients(gradients);
    /// </code></example>
    public void ApplyGradients(IReadOnlyList<WeightGradient> gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        for (int i = 0; i < gradients.Count; i++)
        {
            var (w, g) = gradients[i];
            if (w is null || g is null || !g.Shape.SequenceEqual(w.Value.Shape))
                throw new ArgumentException($"{GetType().Name}.ApplyGradients: gradient {i} " +
                    (w is null || g is null ? "has no weight or no gradient." : $"for weight '{w.Path}' has shape {Tensor.FormatShape(g.Shape)} but the weight has {Tensor.FormatShape(w.Value.Shape)}.") +
                    " Pass the gradients Model.ComputeGradients returned, or tensors shaped like their weights.");
        }
        Iterations++;
        for (int i = 0; i < gradients.Count; i++)
        {
            var (w, g) = gradients[i];
            UpdateStep(w.Value.Span, g.Span, Slots(w), Iterations);
        }
    }

    /// <summary>The state arrays of one weight (created zeroed on first use).</summary>
    internal float[][] Slots(Parameter p)
    {
        if (!_slots.TryGetValue(p, out var s))
        {
            s = new float[SlotCount][];
            for (int i = 0; i < s.Length; i++) s[i] = new float[p.Value.Size];
            _slots[p] = s;
        }
        return s;
    }

    /// <summary>The constructor arguments, by Keras' names, for saving.</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["name"] = Name, ["learning_rate"] = LearningRate };

    /// <summary>Keras' names convert to optimizers with Keras' defaults, so Compile takes "rmsprop" or new RMSprop(1e-4) alike.</summary>
    public static implicit operator Optimizer(string name) => Get(name);

    /// <summary>Resolves Keras' optimizer names with Keras' default settings.</summary>
    public static Optimizer Get(string name) => name.ToLowerInvariant() switch
    {
        "rmsprop" => new RMSprop(),
        "sgd" => new SGD(),
        "adam" => new Adam(),
        _ => throw new ArgumentException($"Unknown optimizer '{name}'. Expected one of: rmsprop, sgd, adam; or pass an optimizer object such as new RMSprop(learningRate: 1e-4)."),
    };
}
