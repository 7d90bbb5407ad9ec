namespace DeepSharp.Callbacks;

/// <summary>
/// Stops training when <c>monitor</c> has stopped improving (Keras' EarlyStopping, same arguments and defaults):
/// after <c>patience</c> epochs in a row without an improvement larger than <c>minDelta</c>, Fit ends.
/// With <c>restoreBestWeights</c> the model gets back the weights of its best epoch when training ends.
/// </summary>
/// <example><code>
/// model.Fit(x, y, epochs: 100, validationSplit: 0.2,
///     callbacks: [new EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true)]);
/// </code></example>
public sealed class EarlyStopping : Callback
{
    private readonly TextWriter? _output;
    private bool _higher;
    private double? _best;
    private float[][]? _bestWeights;

    /// <param name="monitor">The log value watched ("val_loss", "val_accuracy", "loss", ...).</param>
    /// <param name="minDelta">The smallest change that counts as an improvement.</param>
    /// <param name="patience">Epochs without improvement after which training stops.</param>
    /// <param name="verbose">1 writes a line when training stops and when best weights are restored.</param>
    /// <param name="mode">"min", "max", or "auto" (max for accuracies, min otherwise).</param>
    /// <param name="baseline">A value to reach: until the monitored value beats it, improvements do not reset the patience.</param>
    /// <param name="restoreBestWeights">Put back the weights of the best epoch when training ends.</param>
    /// <param name="startFromEpoch">Epochs to let pass (warm-up) before watching.</param>
    /// <param name="output">Where verbose lines go; the console when null.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, int verbose = 0, string mode = "auto",
        double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0, TextWriter? output = null)
    {
        Monitor = monitor;
        MinDelta = Math.Abs(minDelta);
        Patience = patience;
        Verbose = verbose;
        Mode = mode;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        StartFromEpoch = startFromEpoch;
        _higher = MonitorMode.HigherIsBetter(monitor, mode, nameof(EarlyStopping));
        _output = output;
    }

    public string Monitor { get; }
    public double MinDelta { get; }
    public int Patience { get; }
    public int Verbose { get; }
    public string Mode { get; }
    public double? Baseline { get; }
    public bool RestoreBestWeights { get; }
    public int StartFromEpoch { get; }

    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }

    /// <summary>The epoch (from 0) at which training stopped, or -1.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <summary>The epoch (from 0) with the best monitored value.</summary>
    public int BestEpoch { get; private set; }

    public override void OnTrainBegin()
    {
        _higher = MonitorMode.HigherIsBetter(Monitor, Mode, nameof(EarlyStopping));
        Wait = 0;
        StoppedEpoch = -1;
        _best = null;
        _bestWeights = null;
        BestEpoch = 0;
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        double current = MonitorMode.Read(logs, Monitor, nameof(EarlyStopping));
        if (epoch < StartFromEpoch) return;
        if (RestoreBestWeights && _bestWeights is null)
        {
            _bestWeights = CopyWeights();
            BestEpoch = epoch;
        }
        Wait++;
        if (IsImprovement(current, _best))
        {
            _best = current;
            BestEpoch = epoch;
            if (RestoreBestWeights) _bestWeights = CopyWeights();
            if (Baseline is null || IsImprovement(current, Baseline)) Wait = 0;
            return;
        }
        if (Wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            Model!.StopTraining = true;
        }
    }

    public override void OnTrainEnd()
    {
        if (StoppedEpoch > 0 && Verbose > 0) (_output ?? Console.Out).WriteLine($"Epoch {StoppedEpoch + 1}: early stopping");
        if (!RestoreBestWeights || _bestWeights is null) return;
        if (Verbose > 0) (_output ?? Console.Out).WriteLine($"Restoring model weights from the end of the best epoch: {BestEpoch + 1}.");
        var parameters = Model!.Parameters;
        for (int i = 0; i < parameters.Count; i++) _bestWeights[i].CopyTo(parameters[i].Value.Span);
    }

    /// <summary>Keras' _is_improvement: (current - minDelta) > reference for max, (current + minDelta) &lt; reference for min.</summary>
    private bool IsImprovement(double current, double? reference) =>
        reference is not { } r || (_higher ? current - MinDelta > r : current + MinDelta < r);

    private float[][] CopyWeights() => Model!.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
}
