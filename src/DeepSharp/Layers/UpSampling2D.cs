using DeepSharp.Backends;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Repeats rows and columns of (height, width, channels) images by <c>size</c> (Keras 3's UpSampling2D,
/// keras/src/layers/reshaping/up_sampling2d.py): "nearest" copies each pixel into a size.H×size.W block; "bilinear"
/// interpolates as Keras 3's <c>ops.image.resize</c> (half-pixel centers, edges clamped: PyTorch's
/// <c>align_corners=False</c>).
/// </summary>
/// <example><code>
/// new UpSampling2D()                                   // (h, w, c) to (2h, 2w, c), nearest
/// new UpSampling2D((2, 3), interpolation: "bilinear")
/// </code></example>
public sealed class UpSampling2D : SingleInputLayer, ILayerFromConfig<UpSampling2D>
{
    private Tensor? _y, _dx;
    private Tensor? _x;

    /// <param name="size">The factors for height and width: an int for both, or (height, width); default 2.</param>
    /// <param name="interpolation">"nearest" (default) or "bilinear".</param>
    /// <param name="name">The layer's name; generated (up_sampling2d, ...) when null.</param>
    public UpSampling2D(IntPair? size = null, string interpolation = "nearest", string? name = null) : base(name)
    {
        Size = size ?? (2, 2);
        if (Size.H <= 0 || Size.W <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"UpSampling2D '{Name}': size must be positive, got {Size}.");
        Interpolation = (interpolation ?? throw new ArgumentNullException(nameof(interpolation))).ToLowerInvariant();
        if (Interpolation is not ("nearest" or "bilinear"))
            throw new ArgumentException($"UpSampling2D '{Name}': interpolation \"{interpolation}\" is not supported; use \"nearest\" or \"bilinear\".", nameof(interpolation));
    }

    public (int H, int W) Size { get; }

    /// <summary>"nearest" or "bilinear".</summary>
    public string Interpolation { get; }

    private bool Bilinear => Interpolation == "bilinear";

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        return [input[0] * Size.H, input[1] * Size.W, input[2]];
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, [x.Dim(0), x.Dim(1) * Size.H, x.Dim(2) * Size.W, x.Dim(3)]);
        Backend.Current.UpSample(x, _y!, Size.H, Size.W, Bilinear);
        return _y!;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, _x!.Shape);
        Backend.Current.UpSampleBackward(dy, _dx!, Size.H, Size.W, Bilinear);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["size"] = new[] { Size.H, Size.W };
        c["data_format"] = "channels_last";
        c["interpolation"] = Interpolation;
        return c;
    }

    /// <summary>Rebuilds an UpSampling2D from its Keras config.</summary>
    public static UpSampling2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new UpSampling2D(c.Pair("size", (2, 2)), c.String("interpolation", "nearest")!, c.Name);
    }
}
