namespace DeepSharp.Metrics;

/// <summary>
/// A metric averaged over the samples seen since the last <see cref="Reset"/>.
/// "accuracy" resolves to the accuracy that fits the loss, as in Keras.
/// </summary>
public abstract class Metric
{
    private double _sum;
    private long _count;

    /// <summary>Keras' name in logs and History, e.g. "accuracy".</summary>
    public string Name { get; }

    protected Metric(string name) => Name = name;

    /// <summary>The mean so far.</summary>
    public double Result => _count == 0 ? 0 : _sum / _count;

    public void Reset() { _sum = 0; _count = 0; }

    /// <summary>Adds one batch.</summary>
    public void Update(Tensor predictions, Tensor targets)
    {
        _sum += BatchSum(predictions, targets, out int count);
        _count += count;
    }

    /// <summary>The sum of the metric over the batch's samples.</summary>
    protected abstract double BatchSum(Tensor predictions, Tensor targets, out int count);

    /// <summary>Resolves a metric name for a loss: "accuracy"/"acc" becomes categorical, sparse or binary accuracy.</summary>
    public static Metric Get(string name, Losses.Loss loss) => name.ToLowerInvariant() switch
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
        _ => throw new ArgumentException($"Unknown metric '{name}'. Expected one of: accuracy, categorical_accuracy, sparse_categorical_accuracy, binary_accuracy."),
    };
}
