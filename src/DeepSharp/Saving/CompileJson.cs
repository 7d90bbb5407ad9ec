using System.Text.Json.Nodes;
using DeepSharp.Losses;
using DeepSharp.Metrics;
using DeepSharp.Models;
using DeepSharp.Optimizers;

namespace DeepSharp.Saving;

/// <summary>
/// Keras 3's <c>compile_config</c>: the optimizer as a serialized object, the loss and metric names.
/// <code>
/// {"optimizer": {"module": "keras.optimizers", "class_name": "RMSprop", "config": {"name": "rmsprop", "learning_rate": 0.0001, ...},
///                "registered_name": null},
///  "loss": "binary_crossentropy", "loss_weights": null, "metrics": ["accuracy"], "weighted_metrics": null,
///  "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false}
/// </code>
/// The optimizer's config is Keras 3's (learning_rate a number or a serialized schedule, weight_decay, clipnorm, clipvalue,
/// global_clipnorm, use_ema ...). Options Keras has and DeepSharp does not (centered RMSprop, loss_scale_factor,
/// gradient_accumulation_steps) are refused on load rather than silently trained differently.
/// </summary>
internal static class CompileJson
{
    public static JsonObject? Serialize(Model model)
    {
        if (model.Optimizer is not { } opt || model.Loss is not { } loss) return null;
        var config = new JsonObject();
        foreach (var (key, value) in opt.GetConfig())
            config[key] = value as JsonNode ?? System.Text.Json.JsonSerializer.SerializeToNode(value);
        return new JsonObject
        {
            ["optimizer"] = new JsonObject
            {
                ["module"] = "keras.optimizers",
                ["class_name"] = opt.GetType().Name,
                ["config"] = config,
                ["registered_name"] = null,
            },
            ["loss"] = loss.GivenByName ? loss.Name : new JsonObject
            {
                ["module"] = "keras.losses",
                ["class_name"] = loss.ClassName,
                ["config"] = System.Text.Json.JsonSerializer.SerializeToNode(loss.GetConfig()),
                ["registered_name"] = null,
            },
            ["loss_weights"] = null,
            ["metrics"] = model.Metrics.Count == 0 ? null : new JsonArray(model.Metrics.Select(MetricJson).ToArray()),
            ["weighted_metrics"] = null,
            ["run_eagerly"] = false,
            ["steps_per_execution"] = 1,
            ["jit_compile"] = false,
        };
    }

    /// <summary>Compiles <paramref name="model"/> as the config says (nothing when it is null).</summary>
    public static void Apply(Model model, JsonObject? compile)
    {
        if (compile is null) return;
        var optimizer = compile["optimizer"] switch
        {
            JsonValue v => Optimizer.Get(v.GetValue<string>()),
            JsonObject o => OptimizerFrom(o),
            _ => throw new FormatException("compile_config has no optimizer."),
        };
        var loss = compile["loss"] switch
        {
            JsonValue v => Loss.Get(v.GetValue<string>()),
            JsonObject o when o["class_name"] is JsonValue c => Loss.FromConfig(c.GetValue<string>(), new LayerConfig(c.GetValue<string>(), o["config"] as JsonObject ?? new JsonObject())),
            var other => throw new NotSupportedException($"compile_config loss {other?.ToJsonString() ?? "null"} is not supported; DeepSharp models have one loss given by name."),
        };
        var metrics = new List<Metric>();
        if (compile["metrics"] is JsonArray list)
            foreach (var m in list)
                metrics.Add(m switch
                {
                    JsonValue v => v.GetValue<string>(),
                    JsonObject o => MetricFrom(o),
                    _ => throw new NotSupportedException($"compile_config metric {m?.ToJsonString()} is not supported."),
                });
        model.Compile(optimizer, loss, metrics);
    }

    /// <summary>A metric given by name is saved as its name; a metric object as Keras' serialized object.</summary>
    private static JsonNode MetricJson(Metric m) => m.GivenByName ? m.Name : new JsonObject
    {
        ["module"] = "keras.metrics",
        ["class_name"] = m.ClassName,
        ["config"] = System.Text.Json.JsonSerializer.SerializeToNode(m.GetConfig()),
        ["registered_name"] = null,
    };

    private static Metric MetricFrom(JsonObject o)
    {
        string className = o["class_name"]?.GetValue<string>() ?? throw new FormatException("A metric in compile_config has no class_name.");
        var c = new LayerConfig(className, o["config"] as JsonObject ?? new JsonObject());
        string name = c.Name ?? Layers.Layer.ToSnakeCase(className);
        // Keras' own MeanMetricWrapper objects are named by their function; a plain name is resolved like a string metric.
        return className switch
        {
            "BinaryAccuracy" => new BinaryAccuracy(name, c.Float("threshold", 0.5f)),
            "CategoricalAccuracy" => new CategoricalAccuracy(name),
            "SparseCategoricalAccuracy" => new SparseCategoricalAccuracy(name),
            "TopKCategoricalAccuracy" => new TopKCategoricalAccuracy(c.Int("k", 5), name),
            "SparseTopKCategoricalAccuracy" => new SparseTopKCategoricalAccuracy(c.Int("k", 5), name),
            "Precision" => new Precision(Doubles(c, "thresholds"), NullableInt(c, "top_k"), NullableInt(c, "class_id"), name),
            "Recall" => new Recall(Doubles(c, "thresholds"), NullableInt(c, "top_k"), NullableInt(c, "class_id"), name),
            "AUC" => new AUC(c.Int("num_thresholds", 200), c.String("curve", "ROC")!, c.String("summation_method", "interpolation")!, name,
                Doubles(c, "thresholds"), c.Bool("multi_label", false), NullableInt(c, "num_labels"), Doubles(c, "label_weights"), c.Bool("from_logits", false)),
            "MeanAbsoluteError" => new Metrics.MeanAbsoluteError(name),
            "MeanSquaredError" => new Metrics.MeanSquaredError(name),
            _ => name,   // resolved by Compile from the loss, as a name would be
        };
    }

    private static int? NullableInt(LayerConfig c, string key) => c.Has(key) ? c.Json[key]!.GetValue<int>() : null;

    /// <summary>A number or a list of numbers (Keras writes thresholds either way); null when absent or null.</summary>
    private static double[]? Doubles(LayerConfig c, string key) => c.Json[key] switch
    {
        null => null,
        JsonArray a => a.Select(v => v!.GetValue<double>()).ToArray(),
        var v => [v.GetValue<double>()],
    };

    private static Optimizer OptimizerFrom(JsonObject o)
    {
        string className = o["class_name"]?.GetValue<string>() ?? throw new FormatException("The optimizer in compile_config has no class_name.");
        var c = new LayerConfig(className, o["config"] as JsonObject ?? new JsonObject());
        foreach (var key in new[] { "loss_scale_factor", "gradient_accumulation_steps" })
            if (c.Has(key)) throw new NotSupportedException($"Optimizer {className}: {key} = {c.Json[key]!.ToJsonString()} is not supported by DeepSharp.");
        double? wd = Number(c, "weight_decay"), clipNorm = Number(c, "clipnorm"), clipValue = Number(c, "clipvalue"), global = Number(c, "global_clipnorm");
        bool ema = c.Bool("use_ema", false);
        double emaMomentum = Number(c, "ema_momentum") ?? 0.99;
        int? emaEvery = c.Has("ema_overwrite_frequency") ? c.Int("ema_overwrite_frequency", 0) : null;
        var rate = Rate(c, className);
        return className switch
        {
            "RMSprop" => c.Bool("centered", false)
                ? throw new NotSupportedException("Optimizer RMSprop: centered = true is not supported by DeepSharp.")
                : new RMSprop(rate, c.Float("rho", 0.9f), c.Float("momentum", 0f), c.Float("epsilon", 1e-7f), wd, clipNorm, clipValue, global, ema, emaMomentum, emaEvery),
            "SGD" => new SGD(rate, c.Float("momentum", 0f), c.Bool("nesterov", false), wd, clipNorm, clipValue, global, ema, emaMomentum, emaEvery),
            "Adam" => new Adam(rate, Number(c, "beta_1") ?? 0.9, Number(c, "beta_2") ?? 0.999, c.Float("epsilon", 1e-7f), c.Bool("amsgrad", false),
                wd, clipNorm, clipValue, global, ema, emaMomentum, emaEvery),
            "AdamW" => new AdamW(rate, wd ?? 0.004, Number(c, "beta_1") ?? 0.9, Number(c, "beta_2") ?? 0.999, c.Float("epsilon", 1e-7f), c.Bool("amsgrad", false),
                clipNorm, clipValue, global, ema, emaMomentum, emaEvery),
            "Adagrad" => new Adagrad(rate, c.Float("initial_accumulator_value", 0.1f), c.Float("epsilon", 1e-7f), wd, clipNorm, clipValue, global, ema, emaMomentum, emaEvery),
            "Nadam" => new Nadam(rate, c.Float("beta_1", 0.9f), c.Float("beta_2", 0.999f), c.Float("epsilon", 1e-7f), wd, clipNorm, clipValue, global, ema, emaMomentum, emaEvery),
            _ => throw new NotSupportedException($"Unknown optimizer class '{className}'. Supported: RMSprop, SGD, Adam, AdamW, Adagrad, Nadam."),
        };
    }

    /// <summary>A number of the config, or null when it is absent or null (Keras writes null for an unset option).</summary>
    private static double? Number(LayerConfig c, string key) => c.Has(key) ? c.Json[key]!.GetValue<double>() : null;

    /// <summary>
    /// The learning rate as written: a number (the double such as 0.0001, not its float32 neighbour), or a serialized
    /// schedule; null (absent) gives the optimizer's default.
    /// </summary>
    private static Optimizers.Schedules.LearningRateSchedule? Rate(LayerConfig c, string className) => c.Json["learning_rate"] switch
    {
        null => null,
        JsonObject o => Optimizers.Schedules.LearningRateSchedule.Deserialize(o)
            ?? throw new NotSupportedException($"Optimizer {className}: the learning-rate schedule {o["class_name"]?.ToJsonString()} is not supported by DeepSharp. " +
                "Supported: ExponentialDecay, CosineDecay, PiecewiseConstantDecay, InverseTimeDecay, PolynomialDecay."),
        var v => v.GetValue<double>(),
    };
}
