using DeepSharp.Ops;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Averages each channel over height and width: (H, W, C) becomes (C).</summary>
/// <example><code>new GlobalAveragePooling2D()</code></example>
public sealed class GlobalAveragePooling2D(string? name = null) : SingleInputLayer(name), ILayerFromConfig<GlobalAveragePooling2D>
{
    /// <summary>Rebuilds the layer from its Keras config; keepdims=true is refused.</summary>
    public static GlobalAveragePooling2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        if (c.Bool("keepdims", false)) throw new NotSupportedException($"GlobalAveragePooling2D '{c.Name}': keepdims=true is not supported.");
        return new GlobalAveragePooling2D(c.Name);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = "channels_last";
        c["keepdims"] = false;
        return c;
    }

    private Tensor? _x, _y, _dx;

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        return [input[2]];
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, [x.Dim(0), x.Dim(3)]);
        PoolingOps.GlobalAverageForward(x, _y!);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, _x!.Shape);
        PoolingOps.GlobalAverageBackward(dy, _dx!);
        InputGradient = _dx;
    }
}
