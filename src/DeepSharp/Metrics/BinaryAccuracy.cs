namespace DeepSharp.Metrics;

/// <summary>
/// Share of outputs on the same side of <paramref name="threshold"/> as their 0/1 target (averaged per sample, then over
/// samples), as Keras' BinaryAccuracy: a prediction counts as 1 when it is above the threshold.
/// </summary>
/// <example><code>model.Compile("rmsprop", "binary_crossentropy", metrics: [new BinaryAccuracy(threshold: 0.6)]);</code></example>
public sealed class BinaryAccuracy(string name = "binary_accuracy", double threshold = 0.5) : MeanMetric(name)
{
    /// <summary>Predictions above it count as class 1 (Keras' default 0.5).</summary>
    public float Threshold { get; } = (float)threshold;

    protected override double BatchSum(Tensor predictions, Tensor targets, out int count)
    {
        count = predictions.Dim(0);
        int d = predictions.Size / count;
        if (targets.Size != predictions.Size) ShapeError(predictions, targets, "expected targets of the predictions' shape (0/1 per output).");
        ReadOnlySpan<float> p = predictions.Span, t = targets.Span;
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
            if ((p[i] > Threshold) == (t[i] > 0.5f)) sum += 1.0 / d;
        return sum;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["threshold"] = Threshold;
        return c;
    }
}
