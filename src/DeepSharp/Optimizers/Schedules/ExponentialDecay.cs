namespace DeepSharp.Optimizers.Schedules;

/// <summary>
/// Keras' ExponentialDecay: lr(step) = initialLearningRate · decayRate^(step / decaySteps), the exponent rounded down
/// with <c>staircase</c> (the rate then drops every decaySteps steps). Keras 3's learning_rate_schedule.py.
/// </summary>
/// <example><code>
/// var schedule = new ExponentialDecay(initialLearningRate: 0.1, decaySteps: 100_000, decayRate: 0.96, staircase: true);
/// model.Compile(optimizer: new SGD(learningRate: schedule), loss: "sparse_categorical_crossentropy");
/// </code></example>
public sealed class ExponentialDecay : LearningRateSchedule
{
    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, bool staircase = false, string name = "ExponentialDecay")
    {
        ScheduleConfig.RequirePositive(decaySteps, nameof(decaySteps), nameof(ExponentialDecay));
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
        return InitialLearningRate * Math.Pow(DecayRate, p);
    }

    public override Dictionary<string, object?> GetConfig() => new()
    {
        ["initial_learning_rate"] = InitialLearningRate, ["decay_steps"] = DecaySteps, ["decay_rate"] = DecayRate,
        ["staircase"] = Staircase, ["name"] = Name,
    };
}
