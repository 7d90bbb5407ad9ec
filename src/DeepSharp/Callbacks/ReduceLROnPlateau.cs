using System.Globalization;

namespace DeepSharp.Callbacks;

/// <summary>
/// Lowers the optimizer's learning rate by <c>factor</c> when <c>monitor</c> has not improved
/// (by more than <c>minDelta</c>) for <c>patience</c> epochs, then waits <c>cooldown</c>
/// epochs before watching again; never below <c>minLr</c> (Keras' ReduceLROnPlateau, same defaults).
/// Adds "learning_rate" to each epoch's logs (and so to History).
/// </summary>
/// <example><code>
/// model.Fit(x, y, epochs: 30, validationSplit: 0.2,
///     callbacks: [new ReduceLROnPlateau(monitor: "val_loss", factor: 0.2, patience: 5, minLr: 0.001)]);
/// </code></example>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly TextWriter? _output;
    private bool _higher;
    private int _wait, _cooldownCounter;

    /// <param name="monitor">The log value watched ("val_loss", "val_accuracy", "loss", ...).</param>
    /// <param name="factor">New rate = rate × factor; must be below 1.</param>
    /// <param name="patience">Epochs without improvement before the rate is lowered.</param>
    /// <param name="verbose">1 writes a line each time the rate is lowered.</param>
    /// <param name="mode">"min", "max", or "auto" (max for accuracies, min otherwise).</param>
    /// <param name="minDelta">The smallest change that counts as an improvement.</param>
    /// <param name="cooldown">Epochs to wait after lowering the rate before counting again.</param>
    /// <param name="minLr">The lowest rate it sets.</param>
    /// <param name="output">Where verbose lines go; the console when null.</param>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, int verbose = 0,
        string mode = "auto", double minDelta = 1e-4, int cooldown = 0, double minLr = 0.0, TextWriter? output = null)
    {
        if (factor >= 1.0)
            throw new ArgumentOutOfRangeException(nameof(factor), $"ReduceLROnPlateau does not support a factor >= 1.0 (got {factor}): it only lowers the rate.");
        Monitor = monitor;
        Factor = factor;
        Patience = patience;
        Verbose = verbose;
        Mode = mode;
        MinDelta = Math.Abs(minDelta);
        Cooldown = cooldown;
        MinLr = minLr;
        _higher = MonitorMode.HigherIsBetter(monitor, mode, nameof(ReduceLROnPlateau));
        _output = output;
    }

    public string Monitor { get; }
    public double Factor { get; }
    public int Patience { get; }
    public int Verbose { get; }
    public string Mode { get; }
    public double MinDelta { get; }
    public int Cooldown { get; }
    public double MinLr { get; }

    /// <summary>The best monitored value so far.</summary>
    public double Best { get; private set; }

    public override void OnTrainBegin()
    {
        _higher = MonitorMode.HigherIsBetter(Monitor, Mode, nameof(ReduceLROnPlateau));
        Best = _higher ? double.NegativeInfinity : double.PositiveInfinity;
        _wait = 0;
        _cooldownCounter = 0;
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var optimizer = Model?.Optimizer ?? throw new InvalidOperationException("ReduceLROnPlateau is used outside Fit: the model has no optimizer.");
        if (logs is IDictionary<string, double> writable) writable["learning_rate"] = optimizer.LearningRate;
        double current = MonitorMode.Read(logs, Monitor, nameof(ReduceLROnPlateau));
        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            _wait = 0;
        }
        if (_higher ? current > Best + MinDelta : current < Best - MinDelta)
        {
            Best = current;
            _wait = 0;
        }
        else if (_cooldownCounter <= 0 && ++_wait >= Patience)   // Keras asks in_cooldown() again after the decrement
        {
            double old = optimizer.LearningRate;
            if (old > MinLr)
            {
                double lowered = Math.Max(old * Factor, MinLr);
                optimizer.LearningRate = (float)lowered;   // Keras keeps the rate in a float32 variable
                if (Verbose > 0)
                    (_output ?? Console.Out).WriteLine($"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {optimizer.LearningRate.ToString(CultureInfo.InvariantCulture)}.");
                _cooldownCounter = Cooldown;
                _wait = 0;
            }
        }
    }
}
