using System.Text.Json.Nodes;
using DeepSharp.Saving;

namespace DeepSharp.Optimizers.Schedules;

/// <summary>Rebuilds the schedules from Keras' serialized configs, and their shared argument checks.</summary>
internal static class ScheduleConfig
{
    public static void RequirePositive(long decaySteps, string argument, string schedule)
    {
        if (decaySteps <= 0) throw new ArgumentOutOfRangeException(argument, $"{schedule}: {argument} must be > 0, got {decaySteps}.");
    }

    /// <summary>The schedule of a Keras config, or null for a class DeepSharp does not have.</summary>
    public static LearningRateSchedule? From(string className, LayerConfig c) => className switch
    {
        "ExponentialDecay" => new ExponentialDecay(Double(c, "initial_learning_rate"), Long(c, "decay_steps"), Double(c, "decay_rate"),
            c.Bool("staircase", false), c.String("name", null) ?? "ExponentialDecay"),
        "InverseTimeDecay" => new InverseTimeDecay(Double(c, "initial_learning_rate"), Long(c, "decay_steps"), Double(c, "decay_rate"),
            c.Bool("staircase", false), c.String("name", null) ?? "InverseTimeDecay"),
        "PolynomialDecay" => new PolynomialDecay(Double(c, "initial_learning_rate"), Long(c, "decay_steps"), Double(c, "end_learning_rate", 1e-4),
            Double(c, "power", 1.0), c.Bool("cycle", false), c.String("name", null) ?? "PolynomialDecay"),
        "CosineDecay" => new CosineDecay(Double(c, "initial_learning_rate"), Long(c, "decay_steps"), Double(c, "alpha", 0.0),
            c.String("name", null) ?? "CosineDecay", c.Has("warmup_target") ? Double(c, "warmup_target") : null, Long(c, "warmup_steps", 0)),
        "PiecewiseConstantDecay" => new PiecewiseConstantDecay(
            Array(c, "boundaries").Select(n => (long)n!.GetValue<double>()).ToArray(),
            Array(c, "values").Select(n => n!.GetValue<double>()).ToArray(), c.String("name", null) ?? "PiecewiseConstant"),
        _ => null,
    };

    private static double Double(LayerConfig c, string key, double? fallback = null) =>
        c.Has(key) ? c.Json[key]!.GetValue<double>() : fallback ?? throw new FormatException($"The {c.ClassName} schedule's config has no '{key}'.");

    private static long Long(LayerConfig c, string key, long? fallback = null) => (long)Double(c, key, fallback);

    private static JsonArray Array(LayerConfig c, string key) =>
        c.Json[key] as JsonArray ?? throw new FormatException($"The {c.ClassName} schedule's config has no list '{key}'.");
}
