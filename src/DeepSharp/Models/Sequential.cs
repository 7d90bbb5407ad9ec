using DeepSharp.Layers;

namespace DeepSharp.Models;

/// <summary>
/// A plain stack of layers, each feeding the next (Keras: keras_model_sequential). Give the first layer an
/// <c>inputShape</c> to build it at once (Summary works right away); otherwise it is built from the first data it sees.
/// </summary>
/// <example><code>
/// var model = new Sequential(
///     new Conv2D(32, (3, 3), activation: "relu", inputShape: (28, 28, 1)),
///     new MaxPooling2D((2, 2)),
///     new Flatten(),
///     new Dense(10, activation: "softmax"));
/// model.Add(new Dropout(0.5));   // layers can also be added one by one
/// </code></example>
public class Sequential : Model
{
    private readonly List<Layer> _stack = new();
    private int[]? _inputShape;

    public Sequential(params Layer[] layers) : this(null, layers) { }

    public Sequential(string? name, params Layer[] layers) : base(name)
    {
        foreach (var l in layers) Add(l);
    }

    protected override string KerasName => "sequential";

    /// <summary>Appends a layer (a whole Model counts as one layer).</summary>
    public void Add(Layer layer)
    {
        if (_stack.Contains(layer))
            throw new ArgumentException($"Sequential '{Name}': layer '{layer.Name}' is already in the model. Create a new layer instead of adding it twice.");
        if (_stack.Count == 0 && _inputShape is null)
            _inputShape = layer.DeclaredInputShape ?? (layer as Model)?.InputShape;
        _stack.Add(layer);
        if (_inputShape is not null) Rebuild();
    }

    /// <summary>Removes the last layer (Keras: pop).</summary>
    public void Pop()
    {
        if (_stack.Count == 0) throw new InvalidOperationException($"Sequential '{Name}' has no layers to remove.");
        _stack.RemoveAt(_stack.Count - 1);
        if (_inputShape is not null && _stack.Count > 0) Rebuild();
    }

    private protected override void BuildFromInputShape(int[] inputShape)
    {
        if (_stack.Count == 0)
            throw new InvalidOperationException($"Sequential '{Name}' has no layers. Add layers before using it.");
        _inputShape = inputShape;
        Rebuild();
    }

    private void Rebuild()
    {
        var input = new Input(_inputShape!);
        SymbolicTensor x = input;
        foreach (var layer in _stack) x = layer.Call(x);
        SetGraph(input, [x]);
    }
}
