using DeepSharp.Layers;

namespace DeepSharp.Models;

/// <summary>
/// Names one layer of a model for <c>FreezeWeights</c>/<c>UnfreezeWeights</c>: by name ("block5_conv1"), by zero-based
/// index into <c>model.Layers</c> (negative counts from the end: -1 is the last layer), or by the layer itself. Converts implicitly from a string, an int or a layer.
/// </summary>
/// <example><code>UnfreezeWeights(convBase, from: "block5_conv1");   // or from: 15, or from: convBase.GetLayer("block5_conv1")</code></example>
public readonly struct LayerSelector
{
    private readonly string? _name;
    private readonly int? _index;
    private readonly Layer? _layer;

    private LayerSelector(string? name, int? index, Layer? layer) { _name = name; _index = index; _layer = layer; }

    public static implicit operator LayerSelector(string name) => new(name ?? throw new ArgumentNullException(nameof(name)), null, null);
    public static implicit operator LayerSelector(int index) => new(null, index, null);
    public static implicit operator LayerSelector(Layer layer) => new(null, null, layer ?? throw new ArgumentNullException(nameof(layer)));

    /// <summary>The position of the selected layer in <paramref name="model"/>.Layers; throws naming the model's layers.</summary>
    internal int Resolve(Model model, string argument)
    {
        var layers = model.Layers;
        if (_layer is not null)
        {
            for (int i = 0; i < layers.Count; i++) if (ReferenceEquals(layers[i], _layer)) return i;
            throw new ArgumentException($"{argument}: layer '{_layer.Name}' is not a layer of model '{model.Name}'. Its layers are: {Names(layers)}.", argument);
        }
        if (_name is not null)
        {
            for (int i = 0; i < layers.Count; i++) if (layers[i].Name == _name) return i;
            throw new ArgumentException($"{argument}: model '{model.Name}' has no layer named '{_name}'. Its layers are: {Names(layers)}.", argument);
        }
        int index = _index ?? 0;
        int resolved = index < 0 ? layers.Count + index : index;
        if (resolved < 0 || resolved >= layers.Count)
            throw new ArgumentOutOfRangeException(argument, $"{argument}: index {index} is outside model '{model.Name}', which has {layers.Count} layers " +
                $"(indices 0..{layers.Count - 1}, zero-based, unlike R keras which counts from 1; -1 is the last layer).");
        return resolved;
    }

    private static string Names(IReadOnlyList<Layer> layers) => string.Join(", ", layers.Select(l => l.Name));
}
