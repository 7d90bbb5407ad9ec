namespace DeepSharp.Metrics;

/// <summary>
/// Keras 3's metric names (keras/src/metrics/__init__.py: each class by its name and its snake_case name, plus the
/// functions' names and the aliases "mse", "mae"). A metric given by name is named by that string in logs and History, as
/// Keras' compile_utils.get_metric does ("mse" logs as "mse", "auc" as "auc").
/// </summary>
public static class MetricNames
{
    /// <summary>The names Compile accepts (snake_case; the class names, e.g. "AUC", "TopKCategoricalAccuracy", work too).</summary>
    public static IReadOnlyList<string> Known { get; } =
    [
        "accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy",
        "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "precision", "recall", "auc",
        "mean_absolute_error", "mae", "mean_squared_error", "mse",
    ];

    /// <summary>Whether <paramref name="name"/> is a metric name DeepSharp computes.</summary>
    public static bool IsKnown(string name) => Key(name) is { } k && Factories.ContainsKey(k);

    /// <summary>
    /// The metric for a name, named by it. "accuracy"/"acc" follow Keras 3 (keras/src/trainers/compile_utils.py,
    /// get_metric): binary accuracy when the model's output has one value per sample (last axis 1), sparse categorical
    /// when the targets are integer labels, else categorical. Keras reads the targets' shape from the first batch;
    /// Compile reads it from the loss (a sparse loss takes integer labels). Without an output shape, the loss decides
    /// alone (binary crossentropy: binary accuracy).
    /// </summary>
    internal static Metric Create(string name, Losses.Loss loss, int[]? outputShape = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.ToLowerInvariant() is "accuracy" or "acc")
        {
            if (loss is Losses.SparseCategoricalCrossentropy) return outputShape is [.., 1] ? new BinaryAccuracy(name) : new SparseCategoricalAccuracy(name);
            if (outputShape is [.., 1]) return new BinaryAccuracy(name);
            if (outputShape is null && loss is Losses.BinaryCrossentropy) return new BinaryAccuracy(name);
            return new CategoricalAccuracy(name);
        }
        if (Key(name) is { } k && Factories.TryGetValue(k, out var make)) return make(name);
        throw new ArgumentException($"Unknown metric '{name}'. Expected one of: {string.Join(", ", Known)}; or pass a Metric object (e.g. new AUC(curve: \"PR\")).");
    }

    /// <summary>The lookup key: lower case without underscores, so "top_k_categorical_accuracy" and "TopKCategoricalAccuracy" meet.</summary>
    private static string? Key(string name) => name?.Replace("_", "").ToLowerInvariant();

    private static readonly Dictionary<string, Func<string, Metric>> Factories = new()
    {
        ["categoricalaccuracy"] = n => new CategoricalAccuracy(n),
        ["sparsecategoricalaccuracy"] = n => new SparseCategoricalAccuracy(n),
        ["binaryaccuracy"] = n => new BinaryAccuracy(n),
        ["topkcategoricalaccuracy"] = n => new TopKCategoricalAccuracy(name: n),
        ["sparsetopkcategoricalaccuracy"] = n => new SparseTopKCategoricalAccuracy(name: n),
        ["precision"] = n => new Precision(name: n),
        ["recall"] = n => new Recall(name: n),
        ["auc"] = n => new AUC(name: n),
        ["meanabsoluteerror"] = n => new MeanAbsoluteError(n),
        ["mae"] = n => new MeanAbsoluteError(n),
        ["meansquarederror"] = n => new MeanSquaredError(n),
        ["mse"] = n => new MeanSquaredError(n),
    };
}
