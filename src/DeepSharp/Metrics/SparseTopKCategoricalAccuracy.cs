namespace DeepSharp.Metrics;

/// <summary>
/// Share of samples whose integer target class is among the <see cref="K"/> largest predictions (Keras'
/// sparse_top_k_categorical_accuracy, keras/src/metrics/accuracy_metrics.py; ties with the k-th score count as in).
/// </summary>
/// <example><code>model.Compile("rmsprop", "sparse_categorical_crossentropy", metrics: ["accuracy", "sparse_top_k_categorical_accuracy"]);</code></example>
public sealed class SparseTopKCategoricalAccuracy : MeanMetric
{
    /// <summary>How many of the largest predictions count (Keras' default 5).</summary>
    public int K { get; }

    /// <summary>Top-k accuracy for integer targets, named "sparse_top_k_categorical_accuracy" unless told.</summary>
    public SparseTopKCategoricalAccuracy(int k = 5, string name = "sparse_top_k_categorical_accuracy") : base(name) => K = TopK.CheckK(k, name);

    protected override double BatchSum(Tensor predictions, Tensor targets, out int count)
    {
        count = predictions.Dim(0);
        if (targets.Size != count) ShapeError(predictions, targets, "expected one integer class index per sample, shape (batch) or (batch, 1).");
        int c = predictions.Size / Math.Max(count, 1), hits = 0;
        ReadOnlySpan<float> p = predictions.Span, t = targets.Span;
        for (int i = 0; i < count; i++)
        {
            int target = (int)t[i];
            if ((uint)target >= (uint)c)
                throw new ArgumentException($"Metric '{Name}' (SparseTopKCategoricalAccuracy): sample {i} has class {t[i]}, but the predictions have {c} classes (0 to {c - 1}).");
            if (TopK.Contains(p.Slice(i * c, c), target, K)) hits++;
        }
        return hits;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["k"] = K;
        return c;
    }
}
