namespace DeepSharp.Callbacks;

/// <summary>
/// Ends training quietly when a batch's loss is NaN or infinite (Keras' TerminateOnNaN): Fit stops after that batch,
/// finishes the epoch's logs and returns the History, instead of throwing a <see cref="Training.TrainingException"/>.
/// </summary>
/// <example><code>model.Fit(x, y, epochs: 10, callbacks: [new TerminateOnNaN()]);</code></example>
public sealed class TerminateOnNaN(TextWriter? output = null) : Callback
{
    /// <summary>The epoch (from 0) and batch at which training was stopped, or null.</summary>
    public (int Epoch, int Batch)? StoppedAt { get; private set; }

    private int _epoch;

    public override void OnTrainBegin() => StoppedAt = null;

    public override void OnEpochBegin(int epoch) => _epoch = epoch;

    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (!logs.TryGetValue("loss", out double loss) || double.IsFinite(loss)) return;
        (output ?? Console.Out).WriteLine($"Batch {batch}: Invalid loss, terminating training");
        StoppedAt = (_epoch, batch);
        Model!.StopTraining = true;
    }
}
