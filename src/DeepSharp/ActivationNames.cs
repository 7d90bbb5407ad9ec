namespace DeepSharp;

/// <summary>
/// Keras' activation names (<c>keras/src/activations/__init__.py</c>: the function names, plus the alias "swish" for
/// silu) and back: what layers parse from <c>activation: "gelu"</c> and write into <c>.keras</c> configs.
/// </summary>
internal static class ActivationNames
{
    private static readonly KerasNames<ActivationKind> Table = new("activation", "",
        ("linear", ["none", ""], _ => ActivationKind.Linear),
        ("relu", [], _ => ActivationKind.Relu),
        ("relu6", [], _ => ActivationKind.Relu6),
        ("leaky_relu", [], _ => ActivationKind.LeakyRelu),
        ("elu", [], _ => ActivationKind.Elu),
        ("selu", [], _ => ActivationKind.Selu),
        ("gelu", [], _ => ActivationKind.Gelu),
        ("gelu_approximate", [], _ => ActivationKind.GeluApproximate),
        ("silu", ["swish"], _ => ActivationKind.Silu),
        ("softplus", [], _ => ActivationKind.Softplus),
        ("hard_sigmoid", [], _ => ActivationKind.HardSigmoid),
        ("sigmoid", [], _ => ActivationKind.Sigmoid),
        ("tanh", [], _ => ActivationKind.Tanh),
        ("softmax", [], _ => ActivationKind.Softmax));

    /// <summary>The activation named <paramref name="name"/> (null: linear), or an error naming the layer and listing the known names.</summary>
    public static ActivationKind Parse(string? name, string layerName) => Table.Resolve(name ?? "linear", $"Layer '{layerName}'");

    /// <summary>Keras' name for an activation, as <c>get_config</c> writes it.</summary>
    public static string Name(ActivationKind kind) => kind switch
    {
        ActivationKind.Relu6 => "relu6",
        ActivationKind.LeakyRelu => "leaky_relu",
        ActivationKind.GeluApproximate => "gelu_approximate",
        ActivationKind.HardSigmoid => "hard_sigmoid",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Every canonical name, for messages and tests.</summary>
    public static IEnumerable<string> Names => Table.Names;
}
