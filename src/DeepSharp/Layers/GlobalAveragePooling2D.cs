using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Averages each channel over height and width: (H, W, C) becomes (C), or (1, 1, C) with <c>keepdims</c>.</summary>
/// <example><code>new GlobalAveragePooling2D()</code></example>
public sealed class GlobalAveragePooling2D(string? name = null, bool keepdims = false) : SingleInputLayer(name), ILayerFromConfig<GlobalAveragePooling2D>
{
    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static GlobalAveragePooling2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new GlobalAveragePooling2D(c.Name, c.Bool("keepdims", false));
    }

    /// <summary>Keras' keepdims: keep the pooled axes as size 1.</summary>
    public bool Keepdims { get; } = keepdims;

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = "channels_last";
        c["keepdims"] = Keepdims;
        return c;
    }

    private Tensor? _x, _y, _yKeep, _dy, _dx;

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        return Keepdims ? [1, 1, input[2]] : [input[2]];
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, [x.Dim(0), x.Dim(3)]);
        Backend.Current.GlobalAveragePool(x, _y!);
        return Keepdims ? Tensor.View(ref _yKeep, _y, [x.Dim(0), 1, 1, x.Dim(3)]) : _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, _x!.Shape);
        Backend.Current.GlobalAveragePoolBackward(Keepdims ? Tensor.View(ref _dy, dy, [dy.Dim(0), dy.Dim(3)]) : dy, _dx!);
        InputGradient = _dx;
    }
}
