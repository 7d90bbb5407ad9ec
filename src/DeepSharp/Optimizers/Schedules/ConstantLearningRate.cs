namespace DeepSharp.Optimizers.Schedules;

/// <summary>A plain number given as a learning rate: the optimizer keeps it as its settable rate (Keras: a variable).</summary>
internal sealed class ConstantLearningRate(double rate) : LearningRateSchedule
{
    public double Rate { get; } = rate;

    public override double Call(long step) => Rate;

    public override Dictionary<string, object?> GetConfig() => new() { ["value"] = Rate };
}
