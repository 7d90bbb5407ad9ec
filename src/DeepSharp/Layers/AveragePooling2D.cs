using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Averages each window, per channel. Strides default to the pool size.</summary>
/// <example><code>new AveragePooling2D((2, 2))   // or new AveragePooling2D(2)</code></example>
public sealed class AveragePooling2D : Pooling2D, ILayerFromConfig<AveragePooling2D>
{
    /// <summary>Rebuilds the layer from its Keras config (strides default to the pool size).</summary>
    public static AveragePooling2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        var pool = c.Pair("pool_size", (2, 2));
        if (ReadExplicitPadding(c) is { } explicitPadding)
            return new AveragePooling2D(pool, c.Has("strides") ? c.Pair("strides", pool) : null, explicitPadding, c.Name);
        return new AveragePooling2D(pool, c.Has("strides") ? c.Pair("strides", pool) : null, c.String("padding", "valid")!, c.Name);
    }

    /// <param name="poolSize">The window: an int for a square window, or (height, width); default 2.</param>
    /// <param name="strides">The step; default the pool size.</param>
    /// <param name="padding">"valid" (default) or "same", or <see cref="DeepSharp.Padding"/>.</param>
    /// <param name="name">The layer's name; generated when null.</param>
    public AveragePooling2D(IntPair? poolSize = null, IntPair? strides = null, PaddingOption padding = default, string? name = null)
        : base(poolSize ?? (2, 2), strides, padding, name) { }

    /// <summary>Explicit padding ((top, bottom), (left, right)), as ONNX and PyTorch pad (not a Keras option).</summary>
    public AveragePooling2D((int H, int W) poolSize, (int H, int W)? strides, ((int Top, int Bottom) H, (int Left, int Right) W) padding, string? name = null)
        : base(poolSize, strides, padding, name) { }

    public override Tensor Forward(Tensor x, bool training)
    {
        Prepare(x);
        Backend.Current.AveragePool(x, Y!, G);
        return Y!;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref DX, X!.Shape);
        Backend.Current.AveragePoolBackward(dy, DX!, G);
        InputGradient = DX;
    }
}
