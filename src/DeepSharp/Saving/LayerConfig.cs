using System.Text.Json.Nodes;

namespace DeepSharp.Saving;

/// <summary>
/// A layer's saved Keras config (the <c>"config"</c> object of one layer in <c>config.json</c>) with typed readers.
/// Missing keys take the Keras default given by the caller; a value of the wrong type is an error naming the layer and key.
/// </summary>
/// <example><code>
/// LayerRegistry.Register("MyLayer", c => new MyLayer(c.Int("units", 32), name: c.Name));
/// </code></example>
public sealed class LayerConfig
{
    internal LayerConfig(string className, JsonObject config)
    {
        ClassName = className;
        Json = config;
    }

    /// <summary>The Keras class name, e.g. "Conv2D".</summary>
    public string ClassName { get; }

    /// <summary>The raw JSON object.</summary>
    public JsonObject Json { get; }

    /// <summary>The layer's name (null lets the layer generate one).</summary>
    public string? Name => String("name", null);

    /// <summary>Whether the key is present and not null.</summary>
    public bool Has(string key) => Json[key] is not null;

    public int Int(string key, int fallback) => Read(key, fallback, n => n.GetValue<int>());

    public float Float(string key, float fallback) => Read(key, fallback, n => (float)n.GetValue<double>());

    public bool Bool(string key, bool fallback) => Read(key, fallback, n => n.GetValue<bool>());

    public string? String(string key, string? fallback) => Read(key, fallback, n => n.GetValue<string>());

    /// <summary>A Keras pair such as kernel_size [3, 3]; a single number n means (n, n), as in Keras.</summary>
    public (int H, int W) Pair(string key, (int, int) fallback) => Read(key, fallback, n =>
    {
        if (n is JsonValue) { int v = n.GetValue<int>(); return (v, v); }
        var a = n.AsArray();
        if (a.Count != 2) throw new FormatException($"expected 2 numbers, got {a.Count}");
        return (a[0]!.GetValue<int>(), a[1]!.GetValue<int>());
    });

    /// <summary>An initializer given as a name ("glorot_uniform") or a Keras object ({"class_name": "GlorotUniform"}).</summary>
    /// <remarks>
    /// A Constant reads its "value"; a missing key gives the initializer named by <paramref name="fallback"/>.
    /// </remarks>
    public Initializers.Initializer Initializer(string key, string fallback) => Read(key, Initializers.Initializer.Get(fallback), n =>
        n is JsonValue ? Initializers.Initializer.Get(n.GetValue<string>())
        : n["class_name"]!.GetValue<string>() == "Constant" ? new Initializers.Constant((float)(n["config"]?["value"]?.GetValue<double>() ?? 0.0))
        : n["class_name"]!.GetValue<string>() == "VarianceScaling" ? VarianceScaling(n["config"])
        : Initializers.Initializer.Get(Layers.Layer.ToSnakeCase(n["class_name"]!.GetValue<string>())));

    /// <summary>Keras 2 writes glorot_uniform and the He initializers as VarianceScaling with their parameters.</summary>
    private static Initializers.Initializer VarianceScaling(JsonNode? c)
    {
        double scale = c?["scale"]?.GetValue<double>() ?? 1.0;
        string mode = c?["mode"]?.GetValue<string>() ?? "fan_in", distribution = c?["distribution"]?.GetValue<string>() ?? "truncated_normal";
        return (scale, mode, distribution) switch
        {
            (1.0, "fan_avg", "uniform") => new Initializers.GlorotUniform(),
            (2.0, "fan_in", "uniform") => new Initializers.HeUniform(),
            (2.0, "fan_in", "truncated_normal" or "normal") => new Initializers.HeNormal(),
            _ => throw new FormatException($"VarianceScaling(scale {scale}, mode {mode}, distribution {distribution}) is not one of the initializers DeepSharp has (glorot_uniform, he_uniform, he_normal)"),
        };
    }

    /// <summary>
    /// Throws <see cref="NotSupportedException"/> when <paramref name="key"/> holds something other than <paramref name="value"/>
    /// (as a number or as a list of that number), e.g. a dilation_rate DeepSharp cannot honour.
    /// </summary>
    public void RequireValue(string key, int value)
    {
        if (!Has(key)) return;
        var node = Json[key]!;
        bool ok = Read(key, false, n => n is JsonValue ? n.GetValue<int>() == value : n.AsArray().All(v => v!.GetValue<int>() == value));
        if (!ok) throw new NotSupportedException($"{ClassName} '{Name}': {key} {node.ToJsonString()} is not supported (only {value}).");
    }

    /// <summary>Throws unless the data format is channels_last (the only layout DeepSharp runs).</summary>
    public void RequireChannelsLast()
    {
        var f = String("data_format", "channels_last");
        if (f != "channels_last")
            throw new NotSupportedException($"{ClassName} '{Name}': data_format \"{f}\" is not supported; DeepSharp runs channels_last (NHWC) only.");
    }

    private T Read<T>(string key, T fallback, Func<JsonNode, T> read)
    {
        var node = Json[key];
        if (node is null) return fallback;
        try { return read(node); }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException)
        {
            throw new FormatException($"{ClassName} '{Json["name"]}': config key \"{key}\" has value {node.ToJsonString()}, which is not a valid {typeof(T).Name}.", e);
        }
    }
}
