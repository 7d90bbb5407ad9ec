namespace DeepSharp.Metrics;

/// <summary>
/// A metric averaged over the samples seen since the last <see cref="Reset"/>. Compile takes metrics as Keras' names
/// or as objects: "accuracy" resolves to the accuracy that fits the loss, as in Keras.
/// </summary>
/// <example><code>
/// model.Compile(optimizer: "rmsprop", loss: "binary_crossentropy", metrics: ["accuracy"]);
/// model.Compile(optimizer: "rmsprop", loss: "binary_crossentropy", metrics: [new BinaryAccuracy(threshold: 0.6)]);
/// </code></example>
public abstract class Metric
{
    private double _sum;
    private long _count;

    /// <summary>Keras' name in logs and History, e.g. "accuracy".</summary>
    public string Name { get; }

    protected Metric(string name) => Name = name;

    /// <summary>The mean so far.</summary>
    public double Result => _count == 0 ? 0 : _sum / _count;

    /// <summary>The sum and count behind <see cref="Result"/> (Fit adds them up over the ranks of a world).</summary>
    internal (double Sum, long Count) State => (_sum, _count);

    /// <summary>Forgets the samples seen (Fit calls it at the start of every epoch).</summary>
    public void Reset() { _sum = 0; _count = 0; }

    /// <summary>Adds one batch.</summary>
    public void Update(Tensor predictions, Tensor targets)
    {
        _sum += BatchSum(predictions, targets, out int count);
        _count += count;
    }

    /// <summary>The sum of the metric over the batch's samples.</summary>
    protected abstract double BatchSum(Tensor predictions, Tensor targets, out int count);

    /// <summary>Keras' class name, e.g. "BinaryAccuracy".</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>Keras' config of the metric ({"name", "dtype"} plus its own arguments).</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["name"] = Name, ["dtype"] = "float32" };

    /// <summary>True when the metric was given by name (saved as the name, as Keras does).</summary>
    internal bool GivenByName { get; private set; }

    /// <summary>Keras' names convert to metrics; "accuracy" is resolved by Compile from the loss.</summary>
    public static implicit operator Metric(string name) => new NamedMetric(name);

    /// <summary>The metric for this loss: itself, except for names that depend on the loss ("accuracy").</summary>
    internal virtual Metric ResolveFor(Losses.Loss loss) => this;

    /// <summary>Resolves a metric name for a loss: "accuracy"/"acc" becomes categorical, sparse or binary accuracy.</summary>
    public static Metric Get(string name, Losses.Loss loss)
    {
        Metric m = name.ToLowerInvariant() switch
        {
            "accuracy" or "acc" => loss switch
            {
                Losses.SparseCategoricalCrossentropy => new SparseCategoricalAccuracy(name),
                Losses.BinaryCrossentropy => new BinaryAccuracy(name),
                _ => new CategoricalAccuracy(name),
            },
            "categorical_accuracy" => new CategoricalAccuracy(name),
            "sparse_categorical_accuracy" => new SparseCategoricalAccuracy(name),
            "binary_accuracy" => new BinaryAccuracy(name),
            _ => throw new ArgumentException($"Unknown metric '{name}'. Expected one of: accuracy, categorical_accuracy, sparse_categorical_accuracy, binary_accuracy; or pass a Metric object."),
        };
        m.GivenByName = true;
        return m;
    }

    /// <summary>A metric given by name, resolved when the loss is known.</summary>
    private sealed class NamedMetric(string name) : Metric(name)
    {
        internal override Metric ResolveFor(Losses.Loss loss) => Get(Name, loss);

        protected override double BatchSum(Tensor predictions, Tensor targets, out int count) =>
            throw new InvalidOperationException($"Metric '{Name}' was given by name and is resolved by Model.Compile; pass it to Compile before using it.");
    }
}
