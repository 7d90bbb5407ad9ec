using DeepSharp.Ops;

namespace DeepSharp.Layers;

/// <summary>The shared part of MaxPooling2D and AveragePooling2D: window, strides (default: the pool size) and padding.</summary>
public abstract class Pooling2D : SingleInputLayer
{
    private protected Tensor? X, Y, DX;
    private protected ConvGeometry G;

    protected Pooling2D(IntPair poolSize, IntPair? strides, PaddingOption padding, string? name)
        : base(name)
    {
        if (poolSize.H <= 0 || poolSize.W <= 0) throw new ArgumentOutOfRangeException(nameof(poolSize), $"{ClassName} '{Name}': poolSize must be positive, got {poolSize}.");
        PoolSize = poolSize;
        Strides = strides ?? poolSize;
        if (Strides.H <= 0 || Strides.W <= 0) throw new ArgumentOutOfRangeException(nameof(strides), $"{ClassName} '{Name}': strides must be positive, got {Strides}.");
        Padding = padding.Resolve(Name);
    }

    public (int H, int W) PoolSize { get; }
    public (int H, int W) Strides { get; }
    public Padding Padding { get; }

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        var g = ConvGeometry.Create(1, input[0], input[1], input[2], PoolSize.H, PoolSize.W, Strides.H, Strides.W, Padding);
        if (g.OutH <= 0 || g.OutW <= 0)
            throw new ArgumentException($"{ClassName} '{Name}': a {PoolSize.H}×{PoolSize.W} window does not fit an input of (None, {string.Join(", ", input)}). Use padding: \"same\" or remove a layer that shrinks the image.");
        return [g.OutH, g.OutW, input[2]];
    }

    private protected void Prepare(Tensor x)
    {
        X = x;
        G = ConvGeometry.Create(x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3), PoolSize.H, PoolSize.W, Strides.H, Strides.W, Padding);
        Tensor.Ensure(ref Y, [G.Batch, G.OutH, G.OutW, G.InC]);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["pool_size"] = new[] { PoolSize.H, PoolSize.W };
        c["strides"] = new[] { Strides.H, Strides.W };
        c["padding"] = Padding.ToString().ToLowerInvariant();
        c["data_format"] = "channels_last";
        return c;
    }
}
