using DeepSharp.Backends;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Crops the central (<c>height</c>, <c>width</c>) window of each image (Keras: <c>layers.CenterCrop</c>), in training and
/// inference alike. An image smaller than the target on either side is instead cropped to the target's aspect ratio and
/// resized bilinearly (Keras' <c>smart_resize</c>). Gradients pass through to its input.
/// </summary>
/// <remarks>Follows keras/src/layers/preprocessing/image_preprocessing/center_crop.py: the window starts at (h - height) // 2.</remarks>
/// <example><code>
/// var model = new Sequential(new CenterCrop(160, 160, inputShape: (180, 180, 3)), new Rescaling(1.0 / 255), new Conv2D(32, 3, activation: "relu"));
/// </code></example>
public sealed class CenterCrop : SingleInputLayer, ILayerFromConfig<CenterCrop>
{
    private ResampleAxis? _rows, _cols;
    private Tensor? _y, _dx;

    public CenterCrop(int height, int width, (int H, int W, int C)? inputShape = null, string? name = null)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        Height = ImagePreprocessing.Size(this, nameof(height), height);
        Width = ImagePreprocessing.Size(this, nameof(width), width);
    }

    /// <summary>The output height.</summary>
    public int Height { get; }

    /// <summary>The output width.</summary>
    public int Width { get; }

    protected override int[] OutputShape(int[] input)
    {
        ImagePreprocessing.ExpectImages(this, input);
        return [Height, Width, input[2]];
    }

    /// <summary>The crop (or smart_resize) of an h × w input.</summary>
    internal (ResampleAxis Rows, ResampleAxis Cols) Axes(int h, int w)
    {
        if (_rows is { } r && _cols is { } c && r.InSize == h && c.InSize == w) return (r, c);
        if (h >= Height && w >= Width)
        {
            _rows = ResampleAxis.Window(h, (h - Height) / 2, Height);
            _cols = ResampleAxis.Window(w, (w - Width) / 2, Width);
        }
        else
        {
            var (top, rows, left, cols) = ImagePreprocessing.AspectWindow(h, w, Height, Width);
            _rows = ResampleAxis.Resize(h, top, rows, Height, "bilinear", antialias: false);
            _cols = ResampleAxis.Resize(w, left, cols, Width, "bilinear", antialias: false);
        }
        return (_rows, _cols);
    }

    /// <summary>Whether an h × w input is only cropped (no resize), as ONNX export needs.</summary>
    internal bool IsPlainCrop(int h, int w) => h >= Height && w >= Width;

    public override Tensor Forward(Tensor x, bool training)
    {
        var (rows, cols) = Axes(x.Dim(1), x.Dim(2));
        Tensor.Ensure(ref _y, [x.Dim(0), Height, Width, x.Dim(3)]);
        Backend.Current.Resample(x, _y!, rows, cols, 0f);
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
        ImagePreprocessing.AddDataFormat(c);
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static CenterCrop FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new(c.Int("height", 0), c.Int("width", 0), name: c.Name);
    }
}
