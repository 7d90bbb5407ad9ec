namespace DeepSharp.Training;

/// <summary>
/// What <c>Evaluate</c> returns: the loss and each metric by name.
/// Deconstructs to (loss, first metric): <c>var (loss, acc) = model.Evaluate(x, y);</c>
/// </summary>
public sealed class EvaluationResult(double loss, IReadOnlyDictionary<string, double> metrics)
{
    public double Loss { get; } = loss;

    /// <summary>Metric values by Keras' name, e.g. "accuracy".</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; } = metrics;

    /// <summary>The metric called <paramref name="name"/>, or "loss".</summary>
    public double this[string name] => name == "loss" ? Loss : Metrics.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"No metric '{name}'. Available: loss, {string.Join(", ", Metrics.Keys)}.");

    public void Deconstruct(out double loss, out double firstMetric)
    {
        loss = Loss;
        firstMetric = Metrics.Count > 0 ? Metrics.Values.First() : double.NaN;
    }

    public override string ToString() => $"loss: {Loss:F4}" + string.Concat(Metrics.Select(m => $" - {m.Key}: {m.Value:F4}"));
}
