namespace DeepSharp.Metrics;

/// <summary>
/// A metric that is a per-sample value averaged over the samples seen (Keras' MeanMetricWrapper): two state variables,
/// the sum of the values and the number of samples; the result is their ratio (0 before any sample).
/// </summary>
/// <example><code>
/// sealed class MeanPrediction() : MeanMetric("mean_prediction")
/// {
///     protected override double BatchSum(Tensor predictions, Tensor targets, out int count)
///     {
///         count = predictions.Dim(0);
///         double sum = 0;
///         foreach (float p in predictions.Span) sum += p;
///         return sum / (predictions.Size / count);
///     }
/// }
/// </code></example>
public abstract class MeanMetric(string name) : Metric(name, 2)
{
    /// <summary>The sum of the metric over the batch's samples, and their number in <paramref name="count"/>.</summary>
    protected abstract double BatchSum(Tensor predictions, Tensor targets, out int count);

    protected sealed override void UpdateState(Tensor predictions, Tensor targets, Span<double> state)
    {
        state[0] += BatchSum(predictions, targets, out int count);
        state[1] += count;
    }

    /// <summary>sum / count, 0 when no sample was seen.</summary>
    public sealed override double ResultFrom(ReadOnlySpan<double> state) => state[1] == 0 ? 0 : state[0] / state[1];
}
