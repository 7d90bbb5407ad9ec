namespace DeepSharp.Callbacks;

/// <summary>A callback made of delegates, for small things (Keras' LambdaCallback). Every delegate is optional.</summary>
/// <example><code>
/// var losses = new List&lt;double&gt;();
/// model.Fit(x, y, epochs: 3, callbacks: [new LambdaCallback(onEpochEnd: (epoch, logs) =&gt; losses.Add(logs["loss"]))]);
/// </code></example>
public sealed class LambdaCallback(
    Action<int>? onEpochBegin = null,
    Action<int, IReadOnlyDictionary<string, double>>? onEpochEnd = null,
    Action<int>? onBatchBegin = null,
    Action<int, IReadOnlyDictionary<string, double>>? onBatchEnd = null,
    Action? onTrainBegin = null,
    Action? onTrainEnd = null) : Callback
{
    public override void OnEpochBegin(int epoch) => onEpochBegin?.Invoke(epoch);
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => onEpochEnd?.Invoke(epoch, logs);
    public override void OnBatchBegin(int batch) => onBatchBegin?.Invoke(batch);
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) => onBatchEnd?.Invoke(batch, logs);
    public override void OnTrainBegin() => onTrainBegin?.Invoke();
    public override void OnTrainEnd() => onTrainEnd?.Invoke();
}
