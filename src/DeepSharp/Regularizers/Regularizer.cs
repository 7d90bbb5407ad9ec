using System.Text.Json.Nodes;

namespace DeepSharp.Regularizers;

/// <summary>
/// A penalty on a weight's values added to the training loss (Keras: <c>keras.regularizers.Regularizer</c>), given to a
/// layer as <c>kernelRegularizer</c> or <c>biasRegularizer</c>. Fit, Evaluate and ComputeGradients add the penalties of
/// every trainable weight to the batch's loss (so the reported loss includes them, as in Keras) and their gradients to
/// the weights' gradients. Keras' names convert: "l1", "l2" (factor 0.01) and "l1_l2" (0.01 each).
/// </summary>
/// <example><code>
/// new Dense(64, activation: "relu", kernelRegularizer: new L2(0.001))
/// new Conv2D(32, (3, 3), kernelRegularizer: "l2", biasRegularizer: new L1L2(l1: 1e-5, l2: 1e-4))
/// </code></example>
public abstract class Regularizer
{
    /// <summary>The penalty for the weight's current values (Keras: <c>__call__(x)</c>).</summary>
    public abstract double Call(Tensor weights);

    /// <summary>Adds <paramref name="scale"/> × d penalty / d weights into <paramref name="gradient"/> (the weight's shape).</summary>
    public abstract void AddGradient(Tensor weights, Tensor gradient, double scale = 1);

    /// <summary>The constructor arguments by Keras' names.</summary>
    public abstract Dictionary<string, object?> GetConfig();

    /// <summary>Keras' class name ("L2").</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>Keras' serialized form, as a layer's config holds it.</summary>
    public Dictionary<string, object?> ToKerasConfig() => new()
    {
        ["module"] = "keras.regularizers",
        ["class_name"] = ClassName,
        ["config"] = GetConfig(),
        ["registered_name"] = null,
    };

    /// <summary>Keras' names with their documented factors: "l1" and "l2" 0.01, "l1_l2" 0.01 and 0.01.</summary>
    public static implicit operator Regularizer(string name) => Get(name);

    /// <summary>
    /// Resolves a Keras name: "l1" → L1(0.01), "l2" → L2(0.01), "l1_l2" → L1L2(0.01, 0.01) (Keras' documented defaults for the
    /// name; Keras 3's code resolves its class name "l1l2" to L1L2(0, 0), which DeepSharp also accepts as such).
    /// </summary>
    public static Regularizer Get(string name) => name switch
    {
        "l1" or "L1" => new L1(),
        "l2" or "L2" => new L2(),
        "l1_l2" => new L1L2(l1: 0.01, l2: 0.01),
        "l1l2" or "L1L2" => new L1L2(),
        _ => throw new ArgumentException($"Unknown regularizer '{name}'. Expected \"l1\", \"l2\" or \"l1_l2\", or an object such as new L2(0.001).", nameof(name)),
    };

    /// <summary>A regularizer from a layer config's entry: null, a name, or Keras' serialized object.</summary>
    internal static Regularizer? FromKerasConfig(JsonNode? node, string layer, string key)
    {
        switch (node)
        {
            case null: return null;
            case JsonValue v: return Get(v.GetValue<string>());
            case JsonObject o:
                string className = o["class_name"]?.GetValue<string>() ?? throw new FormatException($"Layer '{layer}': {key} has no class_name.");
                var c = o["config"] as JsonObject ?? new JsonObject();
                double F(string k, double fallback) => c[k] is { } n ? n.GetValue<double>() : fallback;
                return className switch
                {
                    "L1" => new L1(F("l1", 0.01)),
                    "L2" => new L2(F("l2", 0.01)),
                    "L1L2" => new L1L2(F("l1", 0), F("l2", 0)),
                    _ => throw new NotSupportedException($"Layer '{layer}': {key} {className} is not supported by DeepSharp (it has L1, L2 and L1L2)."),
                };
            default: throw new FormatException($"Layer '{layer}': {key} is {node.ToJsonString()}, not a regularizer.");
        }
    }

    /// <summary>l1·Σ|w| + l2·Σw², summed by the backend in double.</summary>
    private protected static double L1L2Penalty(Tensor w, double l1, double l2) =>
        Backends.Backend.Current.L1L2Penalty(w.Span, (float)l1, (float)l2);

    /// <summary>g += scale·(l1·sign(w) + 2·l2·w), by the backend.</summary>
    private protected static void L1L2Gradient(Tensor w, Tensor g, double l1, double l2, double scale)
    {
        if (!g.Shape.SequenceEqual(w.Shape))
            throw new ArgumentException($"Regularizer gradient: the gradient has shape {Tensor.FormatShape(g.Shape)} but the weights have {Tensor.FormatShape(w.Shape)}.");
        Backends.Backend.Current.L1L2Gradient(w.Span, g.Span, (float)(scale * l1), (float)(2 * scale * l2));
    }

    private protected static double Check(double factor, string name, string type) =>
        factor >= 0 && double.IsFinite(factor) ? factor
            : throw new ArgumentOutOfRangeException(name, $"{type}: {name} must be a finite number >= 0, got {factor}.");
}
