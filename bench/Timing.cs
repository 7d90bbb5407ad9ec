namespace DeepSharp.Bench;

/// <summary>Median, min and max of repeated timings, in seconds.</summary>
public readonly record struct TimingStats(double Median, double Min, double Max, int Repeats)
{
    /// <summary>Work per second at the median, min and max time (so Best is from Min).</summary>
    public (double Median, double Best, double Worst) Rate(double work) => (work / Median, work / Min, work / Max);
}

/// <summary>Times an action after warm-up runs (so the JIT reaches full optimization and buffers exist).</summary>
/// <example>
/// <code>
/// var t = Timing.Measure(() => model.TrainEpoch(), warmup: 1, repeats: 3);
/// Console.WriteLine($"{ResultTable.Seconds(t.Median)} ({ResultTable.Seconds(t.Min)} to {ResultTable.Seconds(t.Max)})");
/// </code>
/// </example>
public static class Timing
{
    public static TimingStats Measure(Action action, int warmup = 2, int repeats = 5)
    {
        if (repeats < 1) throw new ArgumentOutOfRangeException(nameof(repeats), $"bench: repeats must be at least 1, got {repeats}.");
        for (int i = 0; i < warmup; i++) action();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            double t0 = BenchClock.Now();
            action();
            times[i] = BenchClock.Since(t0);
        }
        return Summarize(times);
    }

    /// <summary>
    /// Like <see cref="Measure"/> but each timed sample runs the action until at least
    /// <paramref name="minSeconds"/> have passed, and reports the time per call (for sub-millisecond work).
    /// </summary>
    public static TimingStats MeasureBatched(Action action, double minSeconds = 0.05, int warmup = 2, int repeats = 5)
    {
        for (int i = 0; i < warmup; i++) action();
        double t0 = BenchClock.Now();
        action();
        double once = Math.Max(1e-7, BenchClock.Since(t0));
        int calls = (int)Math.Clamp(minSeconds / once, 1, 1_000_000);
        var times = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            double t1 = BenchClock.Now();
            for (int i = 0; i < calls; i++) action();
            times[r] = BenchClock.Since(t1) / calls;
        }
        return Summarize(times);
    }

    public static TimingStats Summarize(double[] seconds)
    {
        var sorted = (double[])seconds.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new TimingStats(median, sorted[0], sorted[^1], n);
    }
}
