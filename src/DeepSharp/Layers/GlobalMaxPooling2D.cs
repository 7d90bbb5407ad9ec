using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Takes each channel's maximum over height and width: (H, W, C) becomes (C), or (1, 1, C) with <c>keepdims</c>
/// (Keras 3's GlobalMaxPooling2D, keras/src/layers/pooling/base_global_pooling.py).
/// </summary>
/// <example><code>
/// new GlobalMaxPooling2D()
/// new GlobalMaxPooling2D(keepdims: true)   // (1, 1, C): ready to multiply with the feature map
/// </code></example>
public sealed class GlobalMaxPooling2D : SingleInputLayer, ILayerFromConfig<GlobalMaxPooling2D>
{
    private Tensor? _x, _y, _dx;
    private int[] _argMax = [];

    /// <param name="name">The layer's name; generated (global_max_pooling2d, ...) when null.</param>
    public GlobalMaxPooling2D(string? name = null) : this(false, name) { }

    /// <param name="keepdims">Whether to keep height and width as axes of size 1 (Keras' default false).</param>
    /// <param name="name">The layer's name; generated (global_max_pooling2d, ...) when null.</param>
    public GlobalMaxPooling2D(bool keepdims, string? name = null) : base(name) => Keepdims = keepdims;

    /// <summary>Whether the output is (1, 1, C) instead of (C).</summary>
    public bool Keepdims { get; }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static GlobalMaxPooling2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new GlobalMaxPooling2D(c.Bool("keepdims", false), c.Name);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = "channels_last";
        c["keepdims"] = Keepdims;
        return c;
    }

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        return Keepdims ? [1, 1, input[2]] : [input[2]];
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        if (Keepdims) Tensor.Ensure(ref _y, [x.Dim(0), 1, 1, x.Dim(3)]);
        else Tensor.Ensure(ref _y, [x.Dim(0), x.Dim(3)]);
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
