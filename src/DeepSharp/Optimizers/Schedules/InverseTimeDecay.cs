namespace DeepSharp.Optimizers.Schedules;

/// <summary>
/// Keras' InverseTimeDecay: lr(step) = initialLearningRate / (1 + decayRate · step / decaySteps), the ratio
/// step / decaySteps rounded down with <c>staircase</c>. Keras 3's learning_rate_schedule.py.
/// </summary>
/// <example><code>var schedule = new InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.5);</code></example>
public sealed class InverseTimeDecay : LearningRateSchedule
{
    public InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false, string name = "InverseTimeDecay")
    {
        ScheduleConfig.RequirePositive(decaySteps, nameof(decaySteps), nameof(InverseTimeDecay));
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        DecayRate = decayRate;
        Staircase = staircase;
        Name = name;
    }

    public double InitialLearningRate { get; }
    public long DecaySteps { get; }
    public double DecayRate { get; }
    public bool Staircase { get; }
    public string Name { get; }

    public override double Call(long step)
    {
        double p = (double)step / DecaySteps;
        if (Staircase) p = Math.Floor(p);
        return InitialLearningRate / (1 + DecayRate * p);
    }

    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate, ["decay_steps"] = DecaySteps, ["decay_rate"] = DecayRate,
        ["staircase"] = Staircase, ["name"] = Name,
    };
}
