namespace DeepSharp.Initializers;

/// <summary>
/// Fills a new weight. Keras' names: "glorot_uniform" (default for kernels), "zeros" (default for biases),
/// "ones", "he_normal", "he_uniform".
/// </summary>
public abstract class Initializer
{
    /// <summary>Fills <paramref name="values"/>, a weight of shape <paramref name="shape"/>, drawing from <paramref name="random"/>.</summary>
    public abstract void Fill(Span<float> values, ReadOnlySpan<int> shape, System.Random random);

    /// <summary>Keras' class name, e.g. "GlorotUniform", "Zeros".</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>Keras' config of the initializer (e.g. {"seed": null}).</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["seed"] = null };

    /// <summary>The serialized Keras object: {"module": "keras.initializers", "class_name": ..., "config": ..., "registered_name": null}.</summary>
    public Dictionary<string, object?> ToKerasConfig() => new()
    {
        ["module"] = "keras.initializers",
        ["class_name"] = ClassName,
        ["config"] = GetConfig(),
        ["registered_name"] = null,
    };

    /// <summary>Keras' fan-in and fan-out: for (kh, kw, in, out) they are kh·kw·in and kh·kw·out.</summary>
    public static (int FanIn, int FanOut) Fans(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 1) return (shape[0], shape[0]);
        if (shape.Length == 2) return (shape[0], shape[1]);
        int receptive = 1;
        for (int i = 0; i < shape.Length - 2; i++) receptive *= shape[i];
        return (receptive * shape[^2], receptive * shape[^1]);
    }

    /// <summary>Keras' names convert to initializers, so a layer argument takes "he_normal" or new HeNormal() alike.</summary>
    public static implicit operator Initializer(string name) => Get(name);

    /// <summary>Resolves Keras' initializer names.</summary>
    public static Initializer Get(string name) => name.ToLowerInvariant() switch
    {
        "glorot_uniform" => new GlorotUniform(),
        "he_normal" => new HeNormal(),
        "he_uniform" => new HeUniform(),
        "zeros" => new Constant(0f),
        "ones" => new Constant(1f),
        _ => throw new ArgumentException($"Unknown initializer '{name}'. Expected one of: glorot_uniform, he_normal, he_uniform, zeros, ones."),
    };
}
