using DeepSharp.Backends.Cpu;

namespace DeepSharp.Layers;

/// <summary>
/// The shared part of MaxPooling2D and AveragePooling2D: window, strides (default: the pool size) and padding:
/// Keras' "valid" or "same", or explicit ((top, bottom), (left, right)) rows and columns outside the image
/// (as ONNX and PyTorch pad; padded positions never win a max and are not counted in an average).
/// </summary>
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

    protected Pooling2D((int H, int W) poolSize, (int H, int W)? strides, ((int Top, int Bottom) H, (int Left, int Right) W) padding, string? name)
        : this(poolSize, strides, "valid", name)
    {
        if (padding.H.Top < 0 || padding.H.Bottom < 0 || padding.W.Left < 0 || padding.W.Right < 0
            || padding.H.Top >= poolSize.H || padding.H.Bottom >= poolSize.H || padding.W.Left >= poolSize.W || padding.W.Right >= poolSize.W)
            throw new ArgumentOutOfRangeException(nameof(padding), $"{ClassName} '{Name}': explicit padding {padding} must be between 0 and the pool size minus 1 ({poolSize}).");
        ExplicitPadding = padding;
    }

    public (int H, int W) PoolSize { get; }
    public (int H, int W) Strides { get; }
    public Padding Padding { get; }

    /// <summary>Explicit ((top, bottom), (left, right)) padding, or null for Keras' <see cref="Padding"/>.</summary>
    public ((int Top, int Bottom) H, (int Left, int Right) W)? ExplicitPadding { get; }

    private ConvGeometry Geometry(int batch, int h, int w, int c)
    {
        if (ExplicitPadding is not { } p)
            return ConvGeometry.Create(batch, h, w, c, PoolSize.H, PoolSize.W, Strides.H, Strides.W, Padding);
        int outH = (h + p.H.Top + p.H.Bottom - PoolSize.H) / Strides.H + 1, outW = (w + p.W.Left + p.W.Right - PoolSize.W) / Strides.W + 1;
        return new ConvGeometry(batch, h, w, c, PoolSize.H, PoolSize.W, Strides.H, Strides.W, p.H.Top, p.W.Left, Math.Max(outH, 0), Math.Max(outW, 0));
    }

    /// <summary>Explicit padding [[top, bottom], [left, right]] from a config (written for ONNX imports), else null.</summary>
    private protected static ((int, int), (int, int))? ReadExplicitPadding(Saving.LayerConfig c)
    {
        if (c.Json["padding"] is not System.Text.Json.Nodes.JsonArray a) return null;
        try { return ((a[0]![0]!.GetValue<int>(), a[0]![1]!.GetValue<int>()), (a[1]![0]!.GetValue<int>(), a[1]![1]!.GetValue<int>())); }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or ArgumentOutOfRangeException)
        {
            throw new FormatException($"{c.ClassName} '{c.Name}': padding {a.ToJsonString()} is not \"valid\", \"same\" or [[top, bottom], [left, right]].", e);
        }
    }

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        var g = Geometry(1, input[0], input[1], input[2]);
        if (g.OutH <= 0 || g.OutW <= 0)
            throw new ArgumentException($"{ClassName} '{Name}': a {PoolSize.H}×{PoolSize.W} window does not fit an input of (None, {string.Join(", ", input)}). Use padding: \"same\" or remove a layer that shrinks the image.");
        return [g.OutH, g.OutW, input[2]];
    }

    private protected void Prepare(Tensor x)
    {
        X = x;
        G = Geometry(x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3));
        Tensor.Ensure(ref Y, [G.Batch, G.OutH, G.OutW, G.InC]);
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["pool_size"] = new[] { PoolSize.H, PoolSize.W };
        c["strides"] = new[] { Strides.H, Strides.W };
        c["padding"] = ExplicitPadding is { } p
            ? new[] { new[] { p.H.Top, p.H.Bottom }, new[] { p.W.Left, p.W.Right } }
            : Padding.ToString().ToLowerInvariant();
        c["data_format"] = "channels_last";
        return c;
    }
}
