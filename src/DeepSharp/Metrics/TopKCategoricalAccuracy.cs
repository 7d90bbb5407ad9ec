namespace DeepSharp.Metrics;

/// <summary>
/// Share of samples whose one-hot target class is among the <see cref="K"/> largest predictions (Keras'
/// top_k_categorical_accuracy, keras/src/metrics/accuracy_metrics.py): the target's score must be at least the k-th
/// largest score, so a class tied with the k-th counts as in the top k (ops.in_top_k on the TensorFlow and PyTorch backends).
/// </summary>
/// <example><code>model.Compile("rmsprop", "categorical_crossentropy", metrics: ["accuracy", new TopKCategoricalAccuracy(k: 3)]);</code></example>
public sealed class TopKCategoricalAccuracy : MeanMetric
{
    /// <summary>How many of the largest predictions count (Keras' default 5).</summary>
    public int K { get; }

    /// <summary>Top-k accuracy for one-hot targets, named "top_k_categorical_accuracy" unless told.</summary>
    public TopKCategoricalAccuracy(int k = 5, string name = "top_k_categorical_accuracy") : base(name) => K = TopK.CheckK(k, name);

    protected override double BatchSum(Tensor predictions, Tensor targets, out int count)
    {
        count = predictions.Dim(0);
        if (targets.Size != predictions.Size)
            ShapeError(predictions, targets, "expected one-hot targets of the predictions' shape (for integer labels use sparse_top_k_categorical_accuracy).");
        int c = predictions.Size / Math.Max(count, 1), hits = 0;
        ReadOnlySpan<float> p = predictions.Span, t = targets.Span;
        for (int i = 0; i < count; i++)
            if (TopK.Contains(p.Slice(i * c, c), System.Numerics.Tensors.TensorPrimitives.IndexOfMax(t.Slice(i * c, c)), K)) hits++;
        return hits;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["k"] = K;
        return c;
    }
}
