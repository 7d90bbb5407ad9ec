using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Keras' Softmax layer: softmax along <c>axis</c> (counting the batch axis; -1, the default, is the last).</summary>
/// <example><code>new Softmax(axis: -1)</code></example>
public sealed class Softmax(int axis = -1, string? name = null) : SingleInputLayer(name), ILayerFromConfig<Softmax>
{
    /// <summary>Rebuilds the layer from its Keras config (axis an int or a one-element list).</summary>
    public static Softmax FromConfig(LayerConfig c) =>
        new(c.Json["axis"] is System.Text.Json.Nodes.JsonArray a && a.Count == 1 ? a[0]!.GetValue<int>() : c.Int("axis", -1), c.Name);

    private Tensor? _y, _dx;
    private int _axis;

    public int Axis { get; } = axis;

    protected override int[] OutputShape(int[] input)
    {
        LayerAxes.Resolve(Axis, input.Length, Name, ClassName);
        return input;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _axis = LayerAxes.Resolve(Axis, x.Rank - 1, Name, ClassName);
        Tensor.Ensure(ref _y, x.Shape);
        Backend.Current.Softmax(x, _y!, _axis);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, dy.Shape);
        Backend.Current.SoftmaxBackward(_y!, dy, _dx!, _axis);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
