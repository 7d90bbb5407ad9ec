using DeepSharp.Ops;

namespace DeepSharp.Layers;

/// <summary>Averages each window, per channel. Strides default to the pool size.</summary>
/// <example><code>new AveragePooling2D((2, 2))</code></example>
public sealed class AveragePooling2D : Pooling2D
{
    public AveragePooling2D((int H, int W)? poolSize = null, (int H, int W)? strides = null, string padding = "valid", string? name = null)
        : base(poolSize ?? (2, 2), strides, padding, name) { }

    internal override Tensor Forward(Tensor x, bool training)
    {
        Prepare(x);
        PoolingOps.AverageForward(x, Y!, G);
        return Y!;
    }

    internal override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref DX, X!.Shape);
        PoolingOps.AverageBackward(dy, DX!, G);
        InputGradient = DX;
    }
}
