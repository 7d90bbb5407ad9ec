namespace DeepSharp.Optimizers.Schedules;

/// <summary>
/// Keras' CosineDecay with optional linear warmup (Loshchilov and Hutter's SGDR without restarts; Keras 3's
/// learning_rate_schedule.py). Without <c>warmupTarget</c>: lr(step) = initial · ((1 - alpha) · ½(1 + cos(π·s/decaySteps)) + alpha)
/// with s = min(step, decaySteps). With it: the rate first rises linearly from initialLearningRate to warmupTarget over
/// warmupSteps steps, then decays from warmupTarget the same way over decaySteps more.
/// </summary>
/// <example><code>
/// var schedule = new CosineDecay(initialLearningRate: 0, decaySteps: 10_000, warmupTarget: 1e-3, warmupSteps: 1000);
/// var optimizer = new AdamW(learningRate: schedule);
/// </code></example>
public sealed class CosineDecay : LearningRateSchedule
{
    public CosineDecay(double initialLearningRate, long decaySteps, double alpha = 0.0, string name = "CosineDecay", double? warmupTarget = null,
        long warmupSteps = 0)
    {
        ScheduleConfig.RequirePositive(decaySteps, nameof(decaySteps), nameof(CosineDecay));
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"CosineDecay: warmupSteps must be >= 0, got {warmupSteps}.");
        if (warmupTarget is not null && warmupSteps == 0)
            throw new ArgumentException($"CosineDecay: warmupTarget {warmupTarget} needs warmupSteps > 0 (the steps over which the rate rises to it).", nameof(warmupSteps));
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        Alpha = alpha;
        Name = name;
        WarmupTarget = warmupTarget;
        WarmupSteps = warmupSteps;
    }

    public double InitialLearningRate { get; }
    public long DecaySteps { get; }

    /// <summary>The fraction of the starting rate the decay ends at.</summary>
    public double Alpha { get; }

    public string Name { get; }

    /// <summary>The rate the warmup rises to (and the decay starts from); null for no warmup.</summary>
    public double? WarmupTarget { get; }

    public long WarmupSteps { get; }

    public override double Call(long step)
    {
        if (WarmupTarget is not { } target)
            return Decay(Math.Min(step, DecaySteps), InitialLearningRate);
        double s = Math.Min(step, DecaySteps + WarmupSteps);
        if (s < WarmupSteps) return (target - InitialLearningRate) * (s / WarmupSteps) + InitialLearningRate;
        return Decay(s - WarmupSteps, target);
    }

    private double Decay(double step, double from)
    {
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * (step / DecaySteps)));
        return from * ((1 - Alpha) * cosine + Alpha);
    }

    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate, ["decay_steps"] = DecaySteps, ["alpha"] = Alpha, ["name"] = Name,
        ["warmup_target"] = WarmupTarget, ["warmup_steps"] = WarmupSteps,
    };
}
