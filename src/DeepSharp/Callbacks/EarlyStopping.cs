namespace DeepSharp.Callbacks;

/// <summary>
/// Stops training when <c>monitor</c> has not improved for <c>patience</c> epochs (Keras' EarlyStopping).
/// "loss" values improve downwards, "accuracy" values upwards.
/// </summary>
/// <example><code>new EarlyStopping(monitor: "val_accuracy", patience: 3)</code></example>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 0, double minDelta = 0) : Callback
{
    private double _best;
    private int _wait;

    public string Monitor { get; } = monitor;
    public int Patience { get; } = patience;

    /// <summary>The epoch (from 0) at which training stopped, or -1.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    private bool Higher => Monitor.Contains("acc");

    public override void OnTrainBegin()
    {
        _best = Higher ? double.NegativeInfinity : double.PositiveInfinity;
        _wait = 0;
        StoppedEpoch = -1;
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        if (!logs.TryGetValue(Monitor, out double v))
            throw new ArgumentException($"EarlyStopping monitors '{Monitor}' but the logs have only: {string.Join(", ", logs.Keys)}. " +
                "Pass validation data (or validationSplit) to monitor val_ values.");
        bool improved = Higher ? v > _best + minDelta : v < _best - minDelta;
        if (improved) { _best = v; _wait = 0; return; }
        if (++_wait > Patience)
        {
            StoppedEpoch = epoch;
            Model!.StopTraining = true;
        }
    }
}
