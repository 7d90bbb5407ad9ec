namespace DeepSharp.Layers;

/// <summary>
/// A padding argument given either as Keras' name (<c>"valid"</c>, <c>"same"</c>, any case) or as <see cref="DeepSharp.Padding"/>.
/// The default is "valid", as in Keras. Layers convert it on construction; an unknown name is an error there.
/// </summary>
/// <example><code>
/// new Conv2D(32, 3, padding: "same")
/// new Conv2D(32, 3, padding: Padding.Same)
/// </code></example>
public readonly struct PaddingOption
{
    private readonly string? _name;
    private readonly Padding _value;

    private PaddingOption(Padding value, string? name) { _value = value; _name = name; }

    public static implicit operator PaddingOption(Padding padding) => new(padding, null);

    public static implicit operator PaddingOption(string name) => new(default, name ?? throw new ArgumentNullException(nameof(name)));

    /// <summary>The padding, or an error naming <paramref name="layer"/> for an unknown name.</summary>
    public Padding Resolve(string layer) => _name is null ? _value : _name.ToLowerInvariant() switch
    {
        "valid" => Padding.Valid,
        "same" => Padding.Same,
        _ => throw new ArgumentException($"Layer '{layer}': unknown padding '{_name}'. Expected \"valid\" or \"same\" (or Padding.Valid / Padding.Same)."),
    };

    public override string ToString() => _name ?? _value.ToString().ToLowerInvariant();
}
