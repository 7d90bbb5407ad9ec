using DeepSharp.Backends;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// In training, crops a random (<c>height</c>, <c>width</c>) window, the same for the whole batch (Keras:
/// <c>layers.RandomCrop</c>); an input not larger than the target on both sides, and every call in inference, takes the
/// centred window of the target's aspect ratio instead, resized bilinearly when its size differs. Gradients pass through.
/// </summary>
/// <remarks>
/// Follows keras/src/layers/preprocessing/image_preprocessing/random_crop.py: the window's corner is drawn once per call,
/// uniformly in [0, h - height] × [0, w - width]. In inference Keras 3 returns its input unchanged, whose size then
/// differs from the layer's output shape; DeepSharp applies the centred window its code computes for that case
/// (Keras 2's behaviour), so the output always has the declared shape (docs/KERAS-DIFFERENCES.md).
/// </remarks>
/// <example><code>var augmentation = new Sequential(new RandomCrop(160, 160, seed: 1, inputShape: (180, 180, 3)), new RandomFlip("horizontal"));</code></example>
public sealed class RandomCrop : SingleInputLayer, ILayerFromConfig<RandomCrop>
{
    private readonly System.Random _random;
    private ResampleAxis? _centreRows, _centreCols, _rows, _cols;
    private Tensor? _y, _dx;

    public RandomCrop(int height, int width, int? seed = null, (int H, int W, int C)? inputShape = null, string? name = null)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        Height = ImagePreprocessing.Size(this, nameof(height), height);
        Width = ImagePreprocessing.Size(this, nameof(width), width);
        Seed = seed ?? Rng.Fork().Next();   // Keras saves the default seed it made (make_default_seed)
        _random = new System.Random(Seed);
    }

    /// <summary>The output height.</summary>
    public int Height { get; }

    /// <summary>The output width.</summary>
    public int Width { get; }

    /// <summary>The seed of the layer's generator (drawn from the global <see cref="Rng"/> when not given, and saved).</summary>
    public int Seed { get; }

    protected override int[] OutputShape(int[] input)
    {
        ImagePreprocessing.ExpectImages(this, input);
        return [Height, Width, input[2]];
    }

    /// <summary>The centred window of the target's aspect ratio, resized when needed (inference, and inputs not larger than the target).</summary>
    internal (ResampleAxis Rows, ResampleAxis Cols) CentreAxes(int h, int w)
    {
        if (_centreRows is { } r && _centreCols is { } c && r.InSize == h && c.InSize == w) return (r, c);
        var (top, rows, left, cols) = ImagePreprocessing.AspectWindow(h, w, Height, Width);
        _centreRows = ResampleAxis.Resize(h, top, rows, Height, "bilinear", antialias: false);
        _centreCols = ResampleAxis.Resize(w, left, cols, Width, "bilinear", antialias: false);
        return (_centreRows, _centreCols);
    }

    /// <summary>Whether an h × w input's inference path is only a crop (no resize), as ONNX export needs.</summary>
    internal bool IsPlainCrop(int h, int w)
    {
        var (_, rows, _, cols) = ImagePreprocessing.AspectWindow(h, w, Height, Width);
        return rows == Height && cols == Width;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        int h = x.Dim(1), w = x.Dim(2);
        if (training && h > Height && w > Width)
        {
            int top = (int)ImagePreprocessing.Uniform(_random, 0, h - Height + 1), left = (int)ImagePreprocessing.Uniform(_random, 0, w - Width + 1);
            (_rows, _cols) = (ResampleAxis.Window(h, top, Height), ResampleAxis.Window(w, left, Width));
        }
        else (_rows, _cols) = CentreAxes(h, w);
        Tensor.Ensure(ref _y, [x.Dim(0), Height, Width, x.Dim(3)]);
        Backend.Current.Resample(x, _y!, _rows, _cols, 0f);
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
        c["seed"] = Seed;
        ImagePreprocessing.AddDataFormat(c);
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static RandomCrop FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        return new(c.Int("height", 0), c.Int("width", 0), c.Has("seed") ? c.Int("seed", 0) : null, name: c.Name);
    }
}
