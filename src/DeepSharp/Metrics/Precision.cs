namespace DeepSharp.Metrics;

/// <summary>
/// Keras' Precision (how often a predicted positive is a true positive: TP / (TP + FP)), keras/src/metrics/confusion_metrics.py. A prediction is positive when it is above the
/// threshold (default 0.5), a target when it is nonzero; multi-output predictions are flattened. <c>topK</c> counts only
/// the k largest predictions of each sample as positive (with no threshold given, whatever their value);
/// <c>classId</c> looks at one class (one column of the last axis). Its state: true positives and
/// false positives per threshold, summed over batches and ranks.
/// </summary>
/// <remarks>
/// With several <c>thresholds</c> Keras' result is a list, one value per threshold: <see cref="Results"/> gives it;
/// <see cref="Metric.Result"/>, and so the logs and History, hold the first threshold's value.
/// </remarks>
/// <example><code>
/// model.Compile("rmsprop", "binary_crossentropy", metrics: ["accuracy", new Precision(), new Precision(thresholds: [0.3], name: "precision_at_0.3")]);
/// model.Compile("rmsprop", "categorical_crossentropy", metrics: [new Precision(topK: 1, classId: 2, name: "precision_class_2")]);
/// </code></example>
public sealed class Precision : Metric
{
    private readonly float[] _thresholds;

    /// <summary>The thresholds as given (null: Keras' default, 0.5, or -1e10 with topK).</summary>
    public IReadOnlyList<double>? Thresholds { get; }

    /// <summary>Only the k largest predictions of each sample can be positive (null: all).</summary>
    public int? TopK { get; }

    /// <summary>The one class (column of the last axis) looked at (null: all, flattened).</summary>
    public int? ClassId { get; }

    /// <summary>Precision at <paramref name="thresholds"/> (each in [0, 1]), optionally of the top k predictions or of one class.</summary>
    public Precision(IReadOnlyList<double>? thresholds = null, int? topK = null, int? classId = null, string name = "precision")
        : base(name, 2 * Count(thresholds))
    {
        Thresholds = thresholds?.ToArray();
        _thresholds = thresholds is null ? [topK is null ? 0.5f : ConfusionCounts.NegInf] : ConfusionCounts.CheckThresholds(thresholds, name);
        if (topK is < 1) throw new ArgumentOutOfRangeException(nameof(topK), $"Metric '{name}': topK must be at least 1 (how many of the largest predictions count as positive), got {topK}.");
        if (classId is < 0) throw new ArgumentOutOfRangeException(nameof(classId), $"Metric '{name}': classId must be a class index (0 or more), got {classId}.");
        TopK = topK;
        ClassId = classId;
    }

    private static int Count(IReadOnlyList<double>? thresholds) => thresholds is null ? 1 : Math.Max(thresholds.Count, 1);

    protected override void UpdateState(Tensor predictions, Tensor targets, Span<double> state)
    {
        if (ConfusionCounts.CheckBatch(predictions, targets, TopK, ClassId, out int columns) is { } error) ShapeError(predictions, targets, error);
        int n = _thresholds.Length;
        ConfusionCounts.Count(predictions.Span, targets.Span, columns, _thresholds, TopK, ClassId, state[..n], state[n..], default);
    }

    /// <summary>The first threshold's value; Keras' divide_no_nan makes it 0 when nothing was counted.</summary>
    public override double ResultFrom(ReadOnlySpan<double> state) => ResultAt(state, 0);

    /// <summary>One value per threshold (Keras' result when several thresholds are given).</summary>
    public IReadOnlyList<double> Results
    {
        get
        {
            var results = new double[_thresholds.Length];
            for (int t = 0; t < results.Length; t++) results[t] = ResultAt(State, t);
            return results;
        }
    }

    private double ResultAt(ReadOnlySpan<double> state, int t)
    {
        int n = _thresholds.Length;
        double tp = state[t], fp = state[n + t];
        return ConfusionCounts.DivideNoNan(tp, tp + fp);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["thresholds"] = Thresholds is null ? null : Thresholds.Count == 1 ? Thresholds[0] : Thresholds.ToArray();
        c["top_k"] = TopK;
        c["class_id"] = ClassId;
        return c;
    }
}
