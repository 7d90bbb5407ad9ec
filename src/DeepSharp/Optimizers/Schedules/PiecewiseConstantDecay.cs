namespace DeepSharp.Optimizers.Schedules;

/// <summary>
/// Keras' PiecewiseConstantDecay: values[0] up to and including step boundaries[0], values[i] for steps in
/// (boundaries[i-1], boundaries[i]], and the last value after the last boundary. Keras 3's learning_rate_schedule.py.
/// </summary>
/// <example><code>
/// // 1.0 for the first 100,001 steps, 0.5 for the next 10,000, then 0.1
/// var schedule = new PiecewiseConstantDecay(boundaries: [100_000, 110_000], values: [1.0, 0.5, 0.1]);
/// </code></example>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly long[] _boundaries;
    private readonly double[] _values;

    public PiecewiseConstantDecay(IReadOnlyList<long> boundaries, IReadOnlyList<double> values, string name = "PiecewiseConstant")
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (boundaries.Count != values.Count - 1)
            throw new ArgumentException($"PiecewiseConstantDecay: the number of values must be one more than the number of boundaries; got {boundaries.Count} boundaries and {values.Count} values.", nameof(values));
        for (int i = 1; i < boundaries.Count; i++)
            if (boundaries[i] <= boundaries[i - 1])
                throw new ArgumentException($"PiecewiseConstantDecay: boundaries must increase; boundary {i} is {boundaries[i]} after {boundaries[i - 1]}.", nameof(boundaries));
        _boundaries = boundaries.ToArray();
        _values = values.ToArray();
        Name = name;
    }

    public IReadOnlyList<long> Boundaries => _boundaries;
    public IReadOnlyList<double> Values => _values;
    public string Name { get; }

    public override double Call(long step)
    {
        for (int i = 0; i < _boundaries.Length; i++)
            if (step <= _boundaries[i]) return _values[i];
        return _values[^1];
    }

    public override Dictionary<string, object?> GetConfig() => new() { ["boundaries"] = _boundaries, ["values"] = _values, ["name"] = Name };
}
