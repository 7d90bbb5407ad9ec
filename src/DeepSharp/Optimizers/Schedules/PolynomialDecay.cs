namespace DeepSharp.Optimizers.Schedules;

/// <summary>
/// Keras' PolynomialDecay: lr(step) = (initial - end) · (1 - step / decaySteps)^power + end, with step held at decaySteps
/// after it; with <c>cycle</c> decaySteps grows to the next multiple of itself above step instead. Keras 3's
/// learning_rate_schedule.py. Defaults: endLearningRate 1e-4, power 1 (linear).
/// </summary>
/// <example><code>var schedule = new PolynomialDecay(initialLearningRate: 0.1, decaySteps: 10_000, endLearningRate: 0.01, power: 0.5);</code></example>
public sealed class PolynomialDecay : LearningRateSchedule
{
    public PolynomialDecay(double initialLearningRate, long decaySteps, double endLearningRate = 1e-4, double power = 1.0, bool cycle = false,
        string name = "PolynomialDecay")
    {
        ScheduleConfig.RequirePositive(decaySteps, nameof(decaySteps), nameof(PolynomialDecay));
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        EndLearningRate = endLearningRate;
        Power = power;
        Cycle = cycle;
        Name = name;
    }

    public double InitialLearningRate { get; }
    public long DecaySteps { get; }
    public double EndLearningRate { get; }
    public double Power { get; }
    public bool Cycle { get; }
    public string Name { get; }

    public override double Call(long step)
    {
        double s = step, decay = DecaySteps;
        if (Cycle) decay *= step == 0 ? 1 : Math.Ceiling(s / DecaySteps);
        else s = Math.Min(s, decay);
        double p = s / decay;
        return (InitialLearningRate - EndLearningRate) * Math.Pow(1 - p, Power) + EndLearningRate;
    }

    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate, ["decay_steps"] = DecaySteps, ["end_learning_rate"] = EndLearningRate,
        ["power"] = Power, ["cycle"] = Cycle, ["name"] = Name,
    };
}
