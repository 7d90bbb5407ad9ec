using System.Text.Json.Nodes;
using DeepSharp.Layers;

namespace DeepSharp.Saving;

/// <summary>
/// Maps Keras class names ("Conv2D", "MaxPooling2D", ...) to constructors that rebuild a layer from its saved config.
/// Every layer in <c>DeepSharp.Layers</c> is registered; <see cref="Register"/> adds your own.
/// Models ("Sequential", "Functional") are rebuilt by the model loader, not here.
/// </summary>
/// <example><code>
/// LayerRegistry.Register("MyLayer", c => new MyLayer(c.Int("units", 32), name: c.Name));
/// var model = Model.Load("custom.keras");
/// </code></example>
public static class LayerRegistry
{
    private static readonly Dictionary<string, Func<LayerConfig, Layer>> Factories = new()
    {
        ["Conv2D"] = c =>
        {
            c.RequireChannelsLast();
            RequireDefault(c, "dilation_rate", 1);
            RequireDefault(c, "groups", 1);
            return new Conv2D(c.Int("filters", 0), c.Pair("kernel_size", (0, 0)), c.Pair("strides", (1, 1)),
                c.String("padding", "valid")!, c.String("activation", null), c.Bool("use_bias", true),
                c.Initializer("kernel_initializer", "glorot_uniform"), c.Initializer("bias_initializer", "zeros"), name: c.Name);
        },
        ["Dense"] = c => new Dense(c.Int("units", 0), c.String("activation", null), c.Bool("use_bias", true),
            c.Initializer("kernel_initializer", "glorot_uniform"), c.Initializer("bias_initializer", "zeros"), name: c.Name),
        ["MaxPooling2D"] = c =>
        {
            c.RequireChannelsLast();
            var pool = c.Pair("pool_size", (2, 2));
            return new MaxPooling2D(pool, c.Has("strides") ? c.Pair("strides", pool) : null, c.String("padding", "valid")!, c.Name);
        },
        ["AveragePooling2D"] = c =>
        {
            c.RequireChannelsLast();
            var pool = c.Pair("pool_size", (2, 2));
            return new AveragePooling2D(pool, c.Has("strides") ? c.Pair("strides", pool) : null, c.String("padding", "valid")!, c.Name);
        },
        ["Flatten"] = c => { c.RequireChannelsLast(); return new Flatten(c.Name); },
        ["GlobalAveragePooling2D"] = c =>
        {
            c.RequireChannelsLast();
            if (c.Bool("keepdims", false)) throw new NotSupportedException($"GlobalAveragePooling2D '{c.Name}': keepdims=true is not supported.");
            return new GlobalAveragePooling2D(c.Name);
        },
        ["Dropout"] = c => new Dropout(c.Float("rate", 0f), c.Has("seed") ? c.Int("seed", 0) : null, c.Name),
        ["Activation"] = c => new Activation(c.String("activation", "linear")!, c.Name),
        ["Add"] = c => new Add(c.Name),
        ["BatchNormalization"] = c =>
        {
            int axis = c.Has("axis") && c.Json["axis"] is JsonValue ? c.Int("axis", -1) : -1;
            if (axis != -1 && axis != 3)
                throw new NotSupportedException($"BatchNormalization '{c.Name}': axis {axis} is not supported; DeepSharp normalizes the channel axis (-1).");
            return new BatchNormalization(c.Float("momentum", 0.99f), c.Float("epsilon", 1e-3f), c.Bool("center", true), c.Bool("scale", true), c.Name);
        },
        ["ZeroPadding2D"] = c =>
        {
            c.RequireChannelsLast();
            return new ZeroPadding2D(ReadPadding(c), c.Name);
        },
    };

    /// <summary>The Keras class names that can be loaded, models included.</summary>
    public static IReadOnlyList<string> ClassNames
    {
        get { lock (Factories) return Factories.Keys.Concat(["InputLayer", "Sequential", "Functional"]).Order(StringComparer.Ordinal).ToList(); }
    }

    /// <summary>Registers (or replaces) the constructor used for <paramref name="className"/>.</summary>
    public static void Register(string className, Func<LayerConfig, Layer> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(className);
        lock (Factories) Factories[className] = factory;
    }

    /// <summary>Builds a layer from its class name and config; unknown names are an error listing the known ones.</summary>
    internal static Layer Create(string className, JsonObject config)
    {
        Func<LayerConfig, Layer>? factory;
        lock (Factories) Factories.TryGetValue(className, out factory);
        if (factory is null)
            throw new NotSupportedException($"Unknown layer class '{className}' (layer '{config["name"]}'). " +
                $"Supported classes: {string.Join(", ", ClassNames)}. Register your own with LayerRegistry.Register(\"{className}\", config => ...).");
        var layer = factory(new LayerConfig(className, config));
        if (config["trainable"] is JsonValue t) layer.Trainable = t.GetValue<bool>();
        return layer;
    }

    private static void RequireDefault(LayerConfig c, string key, int value)
    {
        if (!c.Has(key)) return;
        var node = c.Json[key]!;
        bool ok = node is JsonValue ? node.GetValue<int>() == value : node.AsArray().All(v => v!.GetValue<int>() == value);
        if (!ok) throw new NotSupportedException($"{c.ClassName} '{c.Name}': {key} {node.ToJsonString()} is not supported (only {value}).");
    }

    private static ((int, int), (int, int)) ReadPadding(LayerConfig c)
    {
        var node = c.Json["padding"];
        if (node is null) return ((1, 1), (1, 1));
        if (node is JsonValue) { int p = node.GetValue<int>(); return ((p, p), (p, p)); }
        var a = node.AsArray();
        if (a.Count == 2 && a[0] is JsonValue)
        {
            int h = a[0]!.GetValue<int>(), w = a[1]!.GetValue<int>();
            return ((h, h), (w, w));
        }
        if (a.Count == 2)
            return ((a[0]![0]!.GetValue<int>(), a[0]![1]!.GetValue<int>()), (a[1]![0]!.GetValue<int>(), a[1]![1]!.GetValue<int>()));
        throw new FormatException($"ZeroPadding2D '{c.Name}': padding {node.ToJsonString()} is not an int, [h, w] or [[top, bottom], [left, right]].");
    }
}
