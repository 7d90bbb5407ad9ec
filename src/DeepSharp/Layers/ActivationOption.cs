
namespace DeepSharp.Layers;

/// <summary>
/// An activation argument: Keras' name (<c>"relu"</c>, <c>"softmax"</c>, ...; null or "linear" for none) or one of
/// <see cref="Activations"/>. Layers convert it on construction; an unknown name is an error naming the layer.
/// </summary>
/// <example><code>
/// new Dense(64, activation: "relu")
/// new Dense(64, activation: Activations.Relu)
/// </code></example>
public readonly struct ActivationOption
{
    private readonly string? _name;
    private readonly ActivationKind _kind;
    private readonly bool _byName;

    private ActivationOption(ActivationKind kind, string? name, bool byName) { _kind = kind; _name = name; _byName = byName; }

    public static implicit operator ActivationOption(ActivationKind kind) => new(kind, null, false);

    public static implicit operator ActivationOption(string? name) => new(default, name, true);

    /// <summary>The activation, or an error naming <paramref name="layer"/> for an unknown name.</summary>
    public ActivationKind Resolve(string layer) => _byName ? ActivationNames.Parse(_name, layer) : _kind;

    public override string ToString() => _byName ? _name ?? "linear" : ActivationNames.Name(_kind);
}
