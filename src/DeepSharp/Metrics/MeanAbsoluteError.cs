namespace DeepSharp.Metrics;

/// <summary>
/// Keras' MeanAbsoluteError metric (keras/src/metrics/regression_metrics.py): mean(|y_pred - y_true|) over the last axis per sample, averaged
/// over the samples seen. The name "mae" in Compile gives it too, logged as "mae" (Keras names a metric by its string).
/// </summary>
/// <example><code>model.Compile("rmsprop", "mse", metrics: ["mae", new DeepSharp.Metrics.MeanAbsoluteError()]);</code></example>
public sealed class MeanAbsoluteError(string name = "mean_absolute_error") : MeanMetric(name)
{
    protected override double BatchSum(Tensor predictions, Tensor targets, out int count)
    {
        if (targets.Size != predictions.Size)
            ShapeError(predictions, targets, "expected targets of the predictions' shape (one target value per output).");
        count = predictions.Dim(0);
        int perSample = predictions.Size / Math.Max(count, 1);
        return Backends.Backend.Current.ErrorSum(predictions.Span, targets.Span, squared: false) / perSample;
    }
}
