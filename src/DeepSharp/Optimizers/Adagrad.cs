using DeepSharp.Optimizers.Schedules;

namespace DeepSharp.Optimizers;

/// <summary>
/// Keras' Adagrad (epsilon inside the square root, Keras 3's adagrad.py): a ← a + g²;  w ← w - lr·g / sqrt(a + ε), with
/// the accumulator a starting at <c>initialAccumulatorValue</c>. Defaults: lr 1e-3, initial accumulator 0.1, ε 1e-7.
/// </summary>
/// <example><code>new Adagrad(learningRate: 0.01)</code></example>
public sealed class Adagrad : Optimizer
{
    public Adagrad(LearningRateSchedule? learningRate = null, double initialAccumulatorValue = 0.1, double epsilon = 1e-7,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null)
        : base(learningRate, 1e-3, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency)
    {
        if (!(initialAccumulatorValue >= 0))
            throw new ArgumentOutOfRangeException(nameof(initialAccumulatorValue), $"Adagrad: initialAccumulatorValue must be >= 0, got {initialAccumulatorValue}.");
        InitialAccumulatorValue = (float)initialAccumulatorValue;
        Epsilon = (float)epsilon;
    }

    /// <summary>Where each accumulator starts (Keras: initial_accumulator_value).</summary>
    public float InitialAccumulatorValue { get; }

    public float Epsilon { get; }
    public override string Name => "adagrad";
    protected override int SlotCount => 1;
    private protected override float SlotInitialValue(int slot) => InitialAccumulatorValue;
    private protected override string SlotName(int slot) => "accumulator";

    protected override void UpdateStep(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step) =>
        Backends.Backend.Current.AdagradUpdate(w, g, slots[0], (float)LearningRate, Epsilon);

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["initial_accumulator_value"] = InitialAccumulatorValue; c["epsilon"] = Epsilon;
        return c;
    }
}
