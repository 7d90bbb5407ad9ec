using DeepSharp.Ops;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Averages each window, per channel. Strides default to the pool size.</summary>
/// <example><code>new AveragePooling2D((2, 2))</code></example>
public sealed class AveragePooling2D : Pooling2D, ILayerFromConfig<AveragePooling2D>
{
    /// <summary>Rebuilds the layer from its Keras config (strides default to the pool size).</summary>
    public static AveragePooling2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        var pool = c.Pair("pool_size", (2, 2));
        return new AveragePooling2D(pool, c.Has("strides") ? c.Pair("strides", pool) : null, c.String("padding", "valid")!, c.Name);
    }

    public AveragePooling2D((int H, int W)? poolSize = null, (int H, int W)? strides = null, string padding = "valid", string? name = null)
        : base(poolSize ?? (2, 2), strides, padding, name) { }

    public override Tensor Forward(Tensor x, bool training)
    {
        Prepare(x);
        PoolingOps.AverageForward(x, Y!, G);
        return Y!;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref DX, X!.Shape);
        PoolingOps.AverageBackward(dy, DX!, G);
        InputGradient = DX;
    }
}
