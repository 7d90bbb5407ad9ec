using DeepSharp.Ops;

namespace DeepSharp.Layers;

/// <summary>Averages each channel over height and width: (H, W, C) becomes (C).</summary>
/// <example><code>new GlobalAveragePooling2D()</code></example>
public sealed class GlobalAveragePooling2D(string? name = null) : SingleInputLayer(name)
{
    private Tensor? _x, _y, _dx;

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        return [input[2]];
    }

    internal override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, [x.Dim(0), x.Dim(3)]);
        PoolingOps.GlobalAverageForward(x, _y!);
        return _y;
    }

    internal override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, _x!.Shape);
        PoolingOps.GlobalAverageBackward(dy, _dx!);
        InputGradient = _dx;
    }
}
