using DeepSharp.Ops;

namespace DeepSharp.Layers;

/// <summary>Adds rows and columns of zeros around each image: padding ((top, bottom), (left, right)).</summary>
/// <example><code>new ZeroPadding2D(((3, 3), (3, 3)))   // or new ZeroPadding2D(1)</code></example>
public sealed class ZeroPadding2D : SingleInputLayer
{
    private Tensor? _x, _y, _dx;

    public ZeroPadding2D(((int Top, int Bottom) H, (int Left, int Right) W) padding, string? name = null) : base(name)
    {
        if (padding.H.Top < 0 || padding.H.Bottom < 0 || padding.W.Left < 0 || padding.W.Right < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), $"ZeroPadding2D '{Name}': padding must not be negative, got {padding}.");
        Padding = padding;
    }

    /// <summary>The same padding on every side.</summary>
    public ZeroPadding2D(int padding = 1, string? name = null) : this(((padding, padding), (padding, padding)), name) { }

    public ((int Top, int Bottom) H, (int Left, int Right) W) Padding { get; }

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        return [input[0] + Padding.H.Top + Padding.H.Bottom, input[1] + Padding.W.Left + Padding.W.Right, input[2]];
    }

    internal override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, [x.Dim(0), x.Dim(1) + Padding.H.Top + Padding.H.Bottom, x.Dim(2) + Padding.W.Left + Padding.W.Right, x.Dim(3)]);
        ShapeOps.ZeroPadForward(x, _y!, Padding.H.Top, Padding.W.Left);
        return _y;
    }

    internal override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, _x!.Shape);
        ShapeOps.ZeroPadBackward(dy, _dx!, Padding.H.Top, Padding.W.Left);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["padding"] = new[] { new[] { Padding.H.Top, Padding.H.Bottom }, new[] { Padding.W.Left, Padding.W.Right } };
        return c;
    }
}
