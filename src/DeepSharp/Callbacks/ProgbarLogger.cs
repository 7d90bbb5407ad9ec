using DeepSharp.Training;

namespace DeepSharp.Callbacks;

/// <summary>
/// Keras' progress output as a callback: "Epoch 1/5", then
/// "938/938 [==============================] - 14s 15ms/step - loss: 0.1770 - accuracy: 0.9449".
/// Fit and Evaluate add one writing to the console when <c>verbose</c> is 1 or 2 and none is given; pass your own to send
/// the progress elsewhere, or <c>verbose: 0</c> for none. On a terminal, verbose 1 redraws the bar in place; into a file or a
/// pipe it writes only each epoch's final line.
/// </summary>
/// <example><code>
/// using var log = File.CreateText("progress.txt");
/// model.Fit(x, y, epochs: 5, callbacks: [new ProgbarLogger(log)]);
/// </code></example>
public sealed class ProgbarLogger : Callback
{
    /// <summary>Writes (files or the console): rank 0 only in a world of several ranks.</summary>
    internal override bool RootOnly => true;

    private readonly TextWriter? _writer;
    private readonly int? _verbose;
    private ProgressLogger? _progress;
    private readonly List<(string Name, double Value)> _items = new();

    /// <param name="writer">Where to write; the console when null.</param>
    /// <param name="verbose">1 bar, 2 one line per epoch; by default Fit's verbose (or 1 when that is 0).</param>
    public ProgbarLogger(TextWriter? writer = null, int? verbose = null)
    {
        if (verbose is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(verbose), $"ProgbarLogger: verbose must be 0, 1 or 2, got {verbose}.");
        _writer = writer;
        _verbose = verbose;
    }

    private int Verbose => _verbose ?? (Params.Verbose == 0 ? 1 : Params.Verbose);

    public override void OnTrainBegin() => _progress = new ProgressLogger(Verbose, _writer);

    public override void OnEpochBegin(int epoch)
    {
        _progress ??= new ProgressLogger(Verbose, _writer);
        _progress.Line($"Epoch {epoch + 1}/{Params.Epochs}");
        _progress.Start(Params.Steps);
    }

    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (_progress is { } p && p.WantsUpdate(batch + 1)) p.Update(batch + 1, Items(logs));
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => _progress?.Finish(Params.Steps, Items(logs));

    public override void OnTestBegin()
    {
        _progress = new ProgressLogger(Verbose, _writer);
        _progress.Start(Params.Steps);
    }

    public override void OnTestBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (_progress is { } p && p.WantsUpdate(batch + 1)) p.Update(batch + 1, Items(logs));
    }

    public override void OnTestEnd(IReadOnlyDictionary<string, double> logs) => _progress?.Finish(Params.Steps, Items(logs));

    private List<(string Name, double Value)> Items(IReadOnlyDictionary<string, double> logs)
    {
        _items.Clear();
        foreach (var (k, v) in logs) _items.Add((k, v));
        return _items;
    }
}
