using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>Adds rows and columns of zeros around each image: padding ((top, bottom), (left, right)).</summary>
/// <example><code>new ZeroPadding2D(((3, 3), (3, 3)))   // or new ZeroPadding2D(1)</code></example>
public sealed class ZeroPadding2D : SingleInputLayer, ILayerFromConfig<ZeroPadding2D>
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

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, [x.Dim(0), x.Dim(1) + Padding.H.Top + Padding.H.Bottom, x.Dim(2) + Padding.W.Left + Padding.W.Right, x.Dim(3)]);
        Backend.Current.ZeroPad(x, _y!, Padding.H.Top, Padding.W.Left);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, _x!.Shape);
        Backend.Current.ZeroPadBackward(dy, _dx!, Padding.H.Top, Padding.W.Left);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["padding"] = new[] { new[] { Padding.H.Top, Padding.H.Bottom }, new[] { Padding.W.Left, Padding.W.Right } };
        c["data_format"] = "channels_last";
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config: padding as an int, [h, w] or [[top, bottom], [left, right]].</summary>
    public static ZeroPadding2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new ZeroPadding2D(ReadPadding(c), c.Name);
    }

    private static ((int, int), (int, int)) ReadPadding(LayerConfig c)
    {
        var node = c.Json["padding"];
        if (node is null) return ((1, 1), (1, 1));
        if (node is System.Text.Json.Nodes.JsonValue) { int p = node.GetValue<int>(); return ((p, p), (p, p)); }
        var a = node.AsArray();
        if (a.Count == 2 && a[0] is System.Text.Json.Nodes.JsonValue)
        {
            int h = a[0]!.GetValue<int>(), w = a[1]!.GetValue<int>();
            return ((h, h), (w, w));
        }
        if (a.Count == 2)
            return ((a[0]![0]!.GetValue<int>(), a[0]![1]!.GetValue<int>()), (a[1]![0]!.GetValue<int>(), a[1]![1]!.GetValue<int>()));
        throw new FormatException($"ZeroPadding2D '{c.Name}': padding {node.ToJsonString()} is not an int, [h, w] or [[top, bottom], [left, right]].");
    }
}
