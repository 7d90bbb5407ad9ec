namespace DeepSharp.Metrics;

/// <summary>
/// Keras 3's confusion-matrix counting (keras/src/metrics/metrics_utils.py, update_confusion_matrix_variables): a
/// prediction is positive at threshold t when it is above t, a target when it is nonzero. Host loops over
/// <see cref="Tensor.Span"/>: the counts are a histogram (a scatter-add of each element into its threshold's bucket),
/// which the backend has no primitive for; the loops allocate nothing (bucket buffers belong to the metric).
/// </summary>
internal static class ConfusionCounts
{
    /// <summary>Keras' metrics_utils.NEG_INF: the value top_k gives to the predictions it filters out.</summary>
    public const float NegInf = -1e10f;

    /// <summary>Keras' backend.epsilon(): the AUC's end thresholds are -epsilon and 1 + epsilon.</summary>
    public const double Epsilon = 1e-7;

    /// <summary>Checks Keras' [0, 1] range of thresholds (metrics_utils.assert_thresholds_range).</summary>
    public static float[] CheckThresholds(IReadOnlyList<double> thresholds, string metric)
    {
        if (thresholds.Count == 0) throw new ArgumentException($"Metric '{metric}': thresholds is empty; give at least one value in [0, 1], or leave it null for the default.", nameof(thresholds));
        var bad = thresholds.Where(t => !(t >= 0 && t <= 1)).ToList();
        if (bad.Count > 0)
            throw new ArgumentOutOfRangeException(nameof(thresholds), $"Metric '{metric}': threshold values must be in [0, 1], got {string.Join(", ", bad)}. " +
                "Thresholds compare probabilities; for a model that outputs logits add a sigmoid, or use an AUC with fromLogits: true.");
        return thresholds.Select(t => (float)t).ToArray();
    }

    /// <summary>
    /// Checks a batch for Precision/Recall (targets shaped as the predictions, classId and topK within the last axis):
    /// null when it fits, else what was expected. <paramref name="columns"/> is the size of the last axis.
    /// </summary>
    public static string? CheckBatch(Tensor predictions, Tensor targets, int? topK, int? classId, out int columns)
    {
        columns = predictions.Rank < 2 ? 1 : predictions.Dim(predictions.Rank - 1);
        if (targets.Size != predictions.Size) return "expected targets with one 0/1 value per prediction (the predictions' shape).";
        if (classId is { } id && id >= columns) return $"classId {id} is not a class of predictions with {columns} values on their last axis (expected 0 to {columns - 1}).";
        if (topK is { } k && k > columns) return $"topK {k} is more than the {columns} values on the predictions' last axis.";
        return null;
    }

    /// <summary>
    /// Adds, per threshold, the positives above it to <paramref name="truePositives"/>, the negatives above it to
    /// <paramref name="falsePositives"/> and the positives not above it to <paramref name="falseNegatives"/> (any of
    /// them may be empty). <paramref name="topK"/> keeps only the k largest predictions of each row (the others count
    /// as -1e10, metrics_utils._filter_top_k); <paramref name="classId"/> looks at one column of the last axis only.
    /// Keras counts evenly spaced thresholds through buckets; this direct count is the same comparison, p &gt; t.
    /// </summary>
    public static void Count(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, int columns, ReadOnlySpan<float> thresholds,
        int? topK, int? classId, Span<double> truePositives, Span<double> falsePositives, Span<double> falseNegatives)
    {
        for (int i = 0; i < predictions.Length; i++)
        {
            int column = i % columns;
            if (classId is { } id && column != id) continue;
            float p = predictions[i];
            if (topK is { } k && !TopK.Keeps(predictions.Slice(i - column, columns), column, k)) p = NegInf;
            bool positive = targets[i] != 0;
            for (int t = 0; t < thresholds.Length; t++)
            {
                bool above = p > thresholds[t];
                if (positive)
                {
                    if (above) { if (!truePositives.IsEmpty) truePositives[t]++; }
                    else if (!falseNegatives.IsEmpty) falseNegatives[t]++;
                }
                else if (above && !falsePositives.IsEmpty) falsePositives[t]++;
            }
        }
    }

    /// <summary>Keras' divide_no_nan: 0 where the denominator is 0.</summary>
    public static double DivideNoNan(double a, double b) => b == 0 ? 0 : a / b;
}
