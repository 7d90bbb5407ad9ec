using DeepSharp.Backends;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Resizes images to (<c>height</c>, <c>width</c>) (Keras: <c>layers.Resizing</c>), in training and inference alike, with
/// Keras 3's kernels: "bilinear" (default), "nearest", "bicubic", "lanczos3", "lanczos5"; <c>cropToAspectRatio</c> first
/// takes the largest centred window of the target's aspect ratio, <c>padToAspectRatio</c> pads the short side evenly with
/// <c>fillValue</c>. Gradients pass through to its input.
/// </summary>
/// <remarks>
/// Follows keras/src/layers/preprocessing/image_preprocessing/resizing.py and the numpy backend's <c>resize</c>
/// (keras/src/backend/numpy/image.py): half-pixel sampling, no antialiasing unless <c>antialias</c>, an axis whose size
/// does not change is copied. Checked against that code by tests/fixtures/keras3_preprocessing/make_fixtures.py.
/// </remarks>
/// <example><code>
/// var inputs = new Input(300, 400, 3);
/// var x = new Resizing(180, 180, cropToAspectRatio: true).Call(inputs);   // (180, 180, 3)
/// </code></example>
public sealed class Resizing : SingleInputLayer, ILayerFromConfig<Resizing>
{
    private static readonly string[] Interpolations = ["bilinear", "nearest", "bicubic", "lanczos3", "lanczos5"];
    private ResampleAxis? _rows, _cols;
    private Tensor? _y, _dx;

    public Resizing(int height, int width, string interpolation = "bilinear", bool cropToAspectRatio = false, bool padToAspectRatio = false,
        string fillMode = "constant", double fillValue = 0.0, bool antialias = false, (int H, int W, int C)? inputShape = null, string? name = null)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        Height = ImagePreprocessing.Size(this, nameof(height), height);
        Width = ImagePreprocessing.Size(this, nameof(width), width);
        if (!Interpolations.Contains(interpolation))
            throw new ArgumentException($"Resizing '{Name}': interpolation \"{interpolation}\" is not supported; expected one of {string.Join(", ", Interpolations.Select(i => $"\"{i}\""))}.", nameof(interpolation));
        if (fillMode != "constant")
            throw new ArgumentException($"Resizing '{Name}': fill_mode \"{fillMode}\" is not supported; only \"constant\" (the padding of padToAspectRatio is fillValue).", nameof(fillMode));
        if (cropToAspectRatio && padToAspectRatio)
            throw new ArgumentException($"Resizing '{Name}': cropToAspectRatio and padToAspectRatio cannot both be true; choose one.", nameof(padToAspectRatio));
        Interpolation = interpolation;
        CropToAspectRatio = cropToAspectRatio;
        PadToAspectRatio = padToAspectRatio;
        FillValue = (float)fillValue;
        Antialias = antialias;
    }

    /// <summary>The output height.</summary>
    public int Height { get; }

    /// <summary>The output width.</summary>
    public int Width { get; }

    /// <summary>"bilinear", "nearest", "bicubic", "lanczos3" or "lanczos5".</summary>
    public string Interpolation { get; }

    /// <summary>Whether the largest centred window of the output's aspect ratio is resized (no distortion, edges cut).</summary>
    public bool CropToAspectRatio { get; }

    /// <summary>Whether the short side is padded with <see cref="FillValue"/> to the output's aspect ratio first (no distortion).</summary>
    public bool PadToAspectRatio { get; }

    /// <summary>The value of the padding (padToAspectRatio).</summary>
    public float FillValue { get; }

    /// <summary>Whether downscaling widens the kernel (Keras' <c>antialias</c>; off by default).</summary>
    public bool Antialias { get; }

    protected override int[] OutputShape(int[] input)
    {
        ImagePreprocessing.ExpectImages(this, input);
        return [Height, Width, input[2]];
    }

    /// <summary>The two axes' sampling for an input of h × w (keras/src/backend/numpy/image.py, <c>resize</c>).</summary>
    internal (ResampleAxis Rows, ResampleAxis Cols) Axes(int h, int w)
    {
        if (_rows is { } r && _cols is { } c && r.InSize == h && c.InSize == w) return (r, c);
        int top = 0, rowWindow = h, left = 0, colWindow = w;
        if (CropToAspectRatio) (top, rowWindow, left, colWindow) = ImagePreprocessing.AspectWindow(h, w, Height, Width);
        else if (PadToAspectRatio)
        {
            int padHeight = Math.Max(h, (int)((double)w * Height / Width)), padWidth = Math.Max(w, (int)((double)h * Width / Height));
            int hStart = (int)((double)(padHeight - h) / 2), wStart = (int)((double)(padWidth - w) / 2);
            if (hStart > 0) (top, rowWindow) = (-hStart, h + 2 * hStart);   // Keras pads hStart on both sides
            else if (wStart > 0) (left, colWindow) = (-wStart, w + 2 * wStart);
        }
        _rows = ResampleAxis.Resize(h, top, rowWindow, Height, Interpolation, Antialias);
        _cols = ResampleAxis.Resize(w, left, colWindow, Width, Interpolation, Antialias);
        return (_rows, _cols);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        var (rows, cols) = Axes(x.Dim(1), x.Dim(2));
        Tensor.Ensure(ref _y, [x.Dim(0), Height, Width, x.Dim(3)]);
        Backend.Current.Resample(x, _y!, rows, cols, FillValue);
        return _y!;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, [dy.Dim(0), _rows!.InSize, _cols!.InSize, dy.Dim(3)]);
        Backend.Current.ResampleBackward(dy, _dx!, _rows, _cols);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["height"] = Height;
        c["width"] = Width;
        c["interpolation"] = Interpolation;
        c["crop_to_aspect_ratio"] = CropToAspectRatio;
        c["pad_to_aspect_ratio"] = PadToAspectRatio;
        c["fill_mode"] = "constant";
        c["fill_value"] = FillValue;
        c["antialias"] = Antialias;
        ImagePreprocessing.AddDataFormat(c);
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Resizing FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new(c.Int("height", 0), c.Int("width", 0), c.String("interpolation", "bilinear")!, c.Bool("crop_to_aspect_ratio", false),
            c.Bool("pad_to_aspect_ratio", false), c.String("fill_mode", "constant")!, c.Float("fill_value", 0f), c.Bool("antialias", false), name: c.Name);
    }
}
