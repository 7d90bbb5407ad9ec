using System.Globalization;

namespace DeepSharp.Callbacks;

/// <summary>
/// Sets the optimizer's learning rate at the start of every epoch to <c>schedule(epoch, currentRate)</c>
/// (epoch counted from 0), as Keras' LearningRateScheduler. Adds "learning_rate" to each epoch's logs.
/// </summary>
/// <example><code>
/// // keep 1e-3 for ten epochs, then decay by e^-0.1 per epoch (Keras' documented example)
/// var scheduler = new LearningRateScheduler((epoch, lr) => epoch &lt; 10 ? lr : lr * Math.Exp(-0.1));
/// model.Fit(x, y, epochs: 15, callbacks: [scheduler]);
/// </code></example>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, double, double> _schedule;
    private readonly TextWriter? _output;

    /// <param name="schedule">Takes the epoch (from 0) and the current rate, returns the new rate.</param>
    /// <param name="verbose">1 writes the rate set at each epoch.</param>
    /// <param name="output">Where verbose lines go; the console when null.</param>
    public LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0, TextWriter? output = null)
    {
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        Verbose = verbose;
        _output = output;
    }

    /// <summary>A schedule of the epoch alone.</summary>
    public LearningRateScheduler(Func<int, double> schedule, int verbose = 0, TextWriter? output = null)
        : this(schedule is null ? throw new ArgumentNullException(nameof(schedule)) : (epoch, _) => schedule(epoch), verbose, output) { }

    public int Verbose { get; }

    public override void OnEpochBegin(int epoch)
    {
        var optimizer = Model?.Optimizer ?? throw new InvalidOperationException("LearningRateScheduler is used outside Fit: the model has no optimizer.");
        double rate = _schedule(epoch, optimizer.LearningRate);
        if (!double.IsFinite(rate) || rate <= 0)
            throw new ArgumentException($"LearningRateScheduler: the schedule returned {rate} for epoch {epoch}; a learning rate must be a positive finite number.");
        optimizer.LearningRate = rate;
        if (Verbose > 0)
            (_output ?? Console.Out).WriteLine($"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {rate.ToString(CultureInfo.InvariantCulture)}.");
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        if (logs is IDictionary<string, double> writable && Model?.Optimizer is { } optimizer) writable["learning_rate"] = optimizer.LearningRate;
    }
}
