namespace DeepSharp.Metrics;

/// <summary>
/// What <see cref="Precision"/> and <see cref="Recall"/> share (Keras' confusion metrics,
/// keras/src/metrics/confusion_metrics.py): a prediction is positive when it is above the threshold (default 0.5), a
/// target when it is nonzero; multi-output predictions are flattened. <c>topK</c> counts only the k largest predictions
/// of each sample as positive (with no threshold given, whatever their value); <c>classId</c> looks at one class (one
/// column of the last axis). The state: true positives and either false positives or false negatives per threshold,
/// summed over batches and ranks.
/// </summary>
/// <remarks>
/// With several <c>thresholds</c> Keras' result is a list, one value per threshold: <see cref="Results"/> gives it;
/// <see cref="Metric.Result"/>, and so the logs and History, hold the first threshold's value.
/// </remarks>
/// <example><code>
/// model.Compile("rmsprop", "binary_crossentropy", metrics: [new Precision(), new Recall(thresholds: [0.3, 0.5])]);
/// </code></example>
public abstract class ConfusionMetric : Metric
{
    private readonly float[] _thresholds;

    /// <summary>The thresholds as given (null: Keras' default, 0.5, or -1e10 with topK).</summary>
    public IReadOnlyList<double>? Thresholds { get; }

    /// <summary>Only the k largest predictions of each sample can be positive (null: all).</summary>
    public int? TopK { get; }

    /// <summary>The one class (column of the last axis) looked at (null: all, flattened).</summary>
    public int? ClassId { get; }

    private readonly bool _falseNegatives;   // the second half of the state: false negatives (Recall) or false positives (Precision)

    private protected ConfusionMetric(string name, IReadOnlyList<double>? thresholds, int? topK, int? classId, bool countsFalseNegatives)
        : base(name, 2 * Count(thresholds))
    {
        _falseNegatives = countsFalseNegatives;
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
        ConfusionCounts.Count(predictions.Span, targets.Span, columns, _thresholds, TopK, ClassId, state[..n],
            _falseNegatives ? default : state[n..], _falseNegatives ? state[n..] : default);
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
        double tp = state[t], missed = state[n + t];   // FP for precision, FN for recall
        return ConfusionCounts.DivideNoNan(tp, tp + missed);
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
