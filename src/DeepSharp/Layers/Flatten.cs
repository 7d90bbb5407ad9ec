using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Turns each sample into a vector, in row-major (channels-last) order: (3, 3, 64) becomes (576).</summary>
/// <example><code>new Flatten()</code></example>
public sealed class Flatten(string? name = null) : SingleInputLayer(name), ILayerFromConfig<Flatten>
{
    /// <summary>Rebuilds a Flatten from its Keras config.</summary>
    public static Flatten FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new Flatten(c.Name);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = "channels_last";
        return c;
    }

    private Tensor? _y, _dx;
    private int[] _inShape = [];

    protected override int[] OutputShape(int[] input) => [Tensor.Product(input)];

    public override Tensor Forward(Tensor x, bool training)
    {
        _inShape = x.ShapeArray;
        return Tensor.View(ref _y, x, [x.Dim(0), x.Size / Math.Max(x.Dim(0), 1)]);
    }

    public override void Backward(Tensor dy, bool needInputGradients) =>
        InputGradient = needInputGradients ? Tensor.View(ref _dx, dy, _inShape) : null;
}
