namespace DeepSharp.Training;

/// <summary>
/// What <c>Fit</c> returns: per-epoch values of the loss and metrics, with Keras' names
/// (<c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>).
/// </summary>
/// <example><code>
/// var history = model.Fit(x, y, epochs: 5);
/// Console.WriteLine(history["val_accuracy"][^1]);
/// history.Plot("history.png");   // DeepSharp.Vision
/// </code></example>
public sealed class History
{
    private readonly Dictionary<string, List<double>> _values = new();
    private readonly List<string> _order = new();

    /// <summary>The epochs recorded, counting from 1.</summary>
    public List<int> Epochs { get; } = new();

    /// <summary>The names of the recorded series, in the order they first appeared.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>One series, one value per epoch.</summary>
    public IReadOnlyList<double> this[string key] => _values.TryGetValue(key, out var v)
        ? v
        : throw new KeyNotFoundException($"History has no '{key}'. It has: {string.Join(", ", _order)}.");

    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>Adds one epoch's values.</summary>
    public void Add(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        Epochs.Add(epoch);
        foreach (var (k, v) in logs)
        {
            if (!_values.TryGetValue(k, out var list))
            {
                _values[k] = list = new List<double>();
                _order.Add(k);
            }
            list.Add(v);
        }
    }

    public override string ToString() =>
        $"History ({Epochs.Count} epochs): " + string.Join(", ", _order.Select(k => $"{k}={_values[k][^1]:G4}"));
}
