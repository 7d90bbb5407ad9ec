using System.Text.Json.Nodes;

namespace DeepSharp.Optimizers.Schedules;

/// <summary>
/// A learning rate that changes with the optimizer's step count (Keras: <c>keras.optimizers.schedules.LearningRateSchedule</c>).
/// An optimizer given one as its <c>learningRate</c> evaluates it at every update with the number of updates done so far
/// (0 for the first), as Keras 3's <c>optimizer.learning_rate</c> does. A number converts to a constant rate, so every
/// optimizer's <c>learningRate</c> takes either.
/// </summary>
/// <remarks>
/// Subclass it for a schedule of your own (override <see cref="Call"/> and <see cref="GetConfig"/>); such a schedule trains
/// but is not saved in a <c>.keras</c> file's compile config (Keras needs it registered for that too).
/// </remarks>
/// <example><code>
/// var schedule = new ExponentialDecay(initialLearningRate: 1e-2, decaySteps: 1000, decayRate: 0.9);
/// model.Compile(optimizer: new SGD(learningRate: schedule), loss: "categorical_crossentropy");
/// </code></example>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for the update that follows <paramref name="step"/> updates (Keras: <c>__call__(step)</c>).</summary>
    public abstract double Call(long step);

    /// <summary>The constructor arguments by Keras' names (saved in the optimizer's config).</summary>
    public abstract Dictionary<string, object?> GetConfig();

    /// <summary>Keras' class name ("ExponentialDecay").</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>A constant learning rate (what Keras keeps in a variable).</summary>
    public static implicit operator LearningRateSchedule(double learningRate) => new ConstantLearningRate(learningRate);

    /// <summary>Keras' serialized form: <c>{"module": "keras.optimizers.schedules", "class_name", "config", "registered_name"}</c>.</summary>
    internal JsonObject Serialize() => new()
    {
        ["module"] = "keras.optimizers.schedules",
        ["class_name"] = ClassName,
        ["config"] = System.Text.Json.JsonSerializer.SerializeToNode(GetConfig()),
        ["registered_name"] = null,
    };

    /// <summary>Rebuilds a schedule Keras or DeepSharp serialized (null for a class DeepSharp does not have).</summary>
    internal static LearningRateSchedule? Deserialize(JsonObject o)
    {
        string className = o["class_name"]?.GetValue<string>() ?? throw new FormatException("A learning-rate schedule in compile_config has no class_name.");
        var c = new Saving.LayerConfig(className, o["config"] as JsonObject ?? new JsonObject());
        return ScheduleConfig.From(className, c);
    }
}
