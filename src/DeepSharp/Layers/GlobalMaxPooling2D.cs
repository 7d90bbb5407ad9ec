using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Takes each channel's maximum over height and width: (H, W, C) becomes (C) (Keras: GlobalMaxPooling2D).</summary>
/// <example><code>new GlobalMaxPooling2D()</code></example>
public sealed class GlobalMaxPooling2D(string? name = null) : SingleInputLayer(name), ILayerFromConfig<GlobalMaxPooling2D>
{
    private Tensor? _x, _y, _dx;
    private int[] _argMax = [];

    /// <summary>Rebuilds the layer from its Keras config; keepdims=true is refused.</summary>
    public static GlobalMaxPooling2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        if (c.Bool("keepdims", false)) throw new NotSupportedException($"GlobalMaxPooling2D '{c.Name}': keepdims=true is not supported.");
        return new GlobalMaxPooling2D(c.Name);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = "channels_last";
        c["keepdims"] = false;
        return c;
    }

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        return [input[2]];
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, [x.Dim(0), x.Dim(3)]);
        if (_argMax.Length < _y!.Size) _argMax = new int[_y.Size];
        Backend.Current.GlobalMaxPool(x, _y, _argMax);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, _x!.Shape);
        Backend.Current.GlobalMaxPoolBackward(dy, _argMax, _dx!);
        InputGradient = _dx;
    }
}
