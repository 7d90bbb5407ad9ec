namespace DeepSharp.Metrics;

/// <summary>
/// Keras' MeanSquaredError metric (keras/src/metrics/regression_metrics.py): mean((y_pred - y_true)²) over the last axis per sample, averaged
/// over the samples seen. The name "mse" in Compile gives it too, logged as "mse" (Keras names a metric by its string).
/// </summary>
/// <remarks>The loss of the same name is <see cref="Losses.MeanSquaredError"/> (Keras has both too); in a file that uses both namespaces, write Metrics.MeanSquaredError.</remarks>
/// <example><code>model.Compile("rmsprop", "mse", metrics: ["mse", new DeepSharp.Metrics.MeanSquaredError()]);</code></example>
public sealed class MeanSquaredError(string name = "mean_squared_error") : MeanMetric(name)
{
    protected override double BatchSum(Tensor predictions, Tensor targets, out int count)
    {
        if (targets.Size != predictions.Size)
            ShapeError(predictions, targets, "expected targets of the predictions' shape (one target value per output).");
        count = predictions.Dim(0);
        int perSample = predictions.Size / Math.Max(count, 1);
        return Backends.Backend.Current.ErrorSum(predictions.Span, targets.Span, squared: true) / perSample;
    }
}
