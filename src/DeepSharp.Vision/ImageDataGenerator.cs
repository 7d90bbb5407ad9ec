namespace DeepSharp.Vision;

/// <summary>
/// Keras' (legacy) <c>ImageDataGenerator</c>: random augmentation plus rescaling, feeding batches from a folder tree
/// (<see cref="FlowFromDirectory"/>) or from arrays (<see cref="Flow"/>). Parameters and defaults are Keras':
/// <list type="bullet">
/// <item><c>rotationRange</c>: theta ~ uniform(-r, r) degrees.</item>
/// <item><c>heightShiftRange</c> / <c>widthShiftRange</c>: tx (rows) / ty (columns) ~ uniform(-s, s), a fraction of the
/// height / width when s &lt; 1, pixels when s ≥ 1.</item>
/// <item><c>shearRange</c>: shear ~ uniform(-s, s) degrees. <c>zoomRange</c>: zx, zy drawn independently.</item>
/// <item>flips with probability 0.5; <c>channelShiftRange</c>; <c>brightnessRange</c> (PIL brightness factor).</item>
/// <item>One composed affine transform per image, resampled once (bilinear, <see cref="FillMode"/> as scipy).</item>
/// <item><c>rescale</c> (and <c>preprocessingFunction</c>, first) applied after the random transform.</item>
/// </list>
/// </summary>
/// <example><code>
/// var gen = new ImageDataGenerator(rescale: 1f / 255, rotationRange: 40, widthShiftRange: 0.2f, heightShiftRange: 0.2f,
///     shearRange: 0.2f, zoomRange: 0.2f, horizontalFlip: true, fillMode: FillMode.Nearest);
/// using var train = gen.FlowFromDirectory("data/train", targetSize: (150, 150), batchSize: 32, classMode: ClassMode.Binary);
/// var (x, y) = train.Next();   // x: (32, 150, 150, 3) in 0..1, y: (32)
/// </code></example>
public sealed class ImageDataGenerator
{
    private readonly Random _random;
    private readonly object _randomLock = new();

    public float? Rescale { get; }
    public float RotationRange { get; }
    public float WidthShiftRange { get; }
    public float HeightShiftRange { get; }
    public float ShearRange { get; }
    public ZoomRange ZoomRange { get; }
    public float ChannelShiftRange { get; }
    public (float Low, float High)? BrightnessRange { get; }
    public bool HorizontalFlip { get; }
    public bool VerticalFlip { get; }
    public FillMode FillMode { get; }
    public float Cval { get; }
    public float ValidationSplit { get; }
    /// <summary>scipy spline order of the affine warp: 1 (bilinear, default) or 0 (nearest), Keras' <c>interpolation_order</c>.</summary>
    public int InterpolationOrder { get; }
    /// <summary>Applied to each image (after the random transform, before rescale), as Keras' preprocessing_function.
    /// It receives a (h, w, c) tensor and returns one of the same shape.</summary>
    public Func<Tensor, Tensor>? PreprocessingFunction { get; }

    public ImageDataGenerator(float? rescale = null, float rotationRange = 0, float widthShiftRange = 0, float heightShiftRange = 0,
        float shearRange = 0, ZoomRange? zoomRange = null, float channelShiftRange = 0, (float Low, float High)? brightnessRange = null,
        bool horizontalFlip = false, bool verticalFlip = false, FillMode fillMode = FillMode.Nearest, float cval = 0,
        float validationSplit = 0, Func<Tensor, Tensor>? preprocessingFunction = null, int? seed = null, int interpolationOrder = 1)
    {
        if (interpolationOrder is not (0 or 1))
            throw new ArgumentException($"interpolationOrder {interpolationOrder} is not supported: DeepSharp implements scipy's order 1 (bilinear, Keras' default) and 0 (nearest). Spline orders 2-5 are not implemented.", nameof(interpolationOrder));
        InterpolationOrder = interpolationOrder;
        CheckNonNegative(rotationRange, nameof(rotationRange));
        CheckNonNegative(widthShiftRange, nameof(widthShiftRange));
        CheckNonNegative(heightShiftRange, nameof(heightShiftRange));
        CheckNonNegative(shearRange, nameof(shearRange));
        CheckNonNegative(channelShiftRange, nameof(channelShiftRange));
        var zoom = zoomRange ?? (ZoomRange)0f;
        if (zoom.Low <= 0 || zoom.High < zoom.Low)
            throw new ArgumentException($"zoomRange [{zoom.Low}, {zoom.High}] is invalid: zoom factors must be positive with low <= high. Pass a float z < 1 (meaning [1-z, 1+z]) or a pair (low, high).", nameof(zoomRange));
        if (brightnessRange is { } b && (b.Low < 0 || b.High < b.Low))
            throw new ArgumentException($"brightnessRange ({b.Low}, {b.High}) is invalid: expected 0 <= low <= high, e.g. (0.8f, 1.2f).", nameof(brightnessRange));
        if (validationSplit < 0 || validationSplit >= 1)
            throw new ArgumentException($"validationSplit {validationSplit} is outside [0, 1). Give the fraction of each class kept for validation, e.g. 0.2f.", nameof(validationSplit));
        Rescale = rescale is 0f ? null : rescale;
        RotationRange = rotationRange;
        WidthShiftRange = widthShiftRange;
        HeightShiftRange = heightShiftRange;
        ShearRange = shearRange;
        ZoomRange = zoom;
        ChannelShiftRange = channelShiftRange;
        BrightnessRange = brightnessRange;
        HorizontalFlip = horizontalFlip;
        VerticalFlip = verticalFlip;
        FillMode = fillMode;
        Cval = cval;
        ValidationSplit = validationSplit;
        PreprocessingFunction = preprocessingFunction;
        _random = seed is { } s ? new Random(s) : Rng.Fork();
    }

    private static void CheckNonNegative(float v, string name)
    {
        if (v < 0 || float.IsNaN(v))
            throw new ArgumentException($"{name} is {v} but must be 0 or more (0 turns it off).", name);
    }

    /// <summary>True when no random transform is configured (then images are only standardized).</summary>
    public bool IsIdentity => RotationRange == 0 && WidthShiftRange == 0 && HeightShiftRange == 0 && ShearRange == 0 &&
                              ZoomRange.IsIdentity && ChannelShiftRange == 0 && BrightnessRange is null && !HorizontalFlip && !VerticalFlip;

    /// <summary>Draws one set of transform parameters for an image of the given size (Keras' get_random_transform).</summary>
    public TransformParameters GetRandomTransform(int height, int width, Random random)
    {
        double U(double lo, double hi) => lo + (hi - lo) * random.NextDouble();
        double theta = RotationRange != 0 ? U(-RotationRange, RotationRange) : 0;
        double tx = 0, ty = 0;
        if (HeightShiftRange != 0)
        {
            tx = U(-HeightShiftRange, HeightShiftRange);
            if (HeightShiftRange < 1) tx *= height;
        }
        if (WidthShiftRange != 0)
        {
            ty = U(-WidthShiftRange, WidthShiftRange);
            if (WidthShiftRange < 1) ty *= width;
        }
        double shear = ShearRange != 0 ? U(-ShearRange, ShearRange) : 0;
        double zx = 1, zy = 1;
        if (!ZoomRange.IsIdentity)
        {
            zx = U(ZoomRange.Low, ZoomRange.High);
            zy = U(ZoomRange.Low, ZoomRange.High);
        }
        bool flipH = random.NextDouble() < 0.5 && HorizontalFlip;
        bool flipV = random.NextDouble() < 0.5 && VerticalFlip;
        double? channelShift = ChannelShiftRange != 0 ? U(-ChannelShiftRange, ChannelShiftRange) : null;
        double? brightness = BrightnessRange is { } b ? U(b.Low, b.High) : null;
        return new TransformParameters
        {
            Theta = theta, Tx = tx, Ty = ty, Shear = shear, Zx = zx, Zy = zy,
            FlipHorizontal = flipH, FlipVertical = flipV, ChannelShiftIntensity = channelShift, Brightness = brightness,
        };
    }

    /// <summary>Applies given transform parameters to a (h, w, c) image; returns a new tensor (Keras' apply_transform).</summary>
    public Tensor ApplyTransform(Tensor image, TransformParameters parameters)
    {
        CheckImage(image);
        var result = new Tensor(image.Shape.ToArray());
        ApplyTransformInto(image.Span, result.Span, image.Dim(0), image.Dim(1), image.Dim(2), parameters);
        return result;
    }

    /// <summary>A random transform of a (h, w, c) image; the same <paramref name="seed"/> gives the same result.
    /// Without a seed the generator's own seeded random numbers are used. Does not rescale (see <see cref="Standardize"/>).</summary>
    public Tensor RandomTransform(Tensor image, int? seed = null)
    {
        CheckImage(image);
        TransformParameters p;
        if (seed is { } s) p = GetRandomTransform(image.Dim(0), image.Dim(1), new Random(s));
        else lock (_randomLock) p = GetRandomTransform(image.Dim(0), image.Dim(1), _random);
        return ApplyTransform(image, p);
    }

    /// <summary>Keras' standardize, in place: preprocessingFunction, then rescale. Returns <paramref name="image"/>.</summary>
    public Tensor Standardize(Tensor image)
    {
        if (PreprocessingFunction is { } f)
        {
            var r = f(image);
            if (!r.Shape.SequenceEqual(image.Shape))
                throw new InvalidOperationException($"preprocessingFunction returned shape {Tensor.FormatShape(r.Shape)} for an image of shape {Tensor.FormatShape(image.Shape)}. It must keep the shape.");
            if (!ReferenceEquals(r, image)) r.Span.CopyTo(image.Span);
        }
        if (Rescale is { } scale) System.Numerics.Tensors.TensorPrimitives.Multiply(image.Span, scale, image.Span);
        return image;
    }

    internal void ApplyTransformInto(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int c, TransformParameters p)
    {
        double[]? m = AffineWarp.Matrix(p, h, w);
        if (m is null) src.CopyTo(dst);
        else AffineWarp.Warp(src, dst, h, w, c, m, FillMode, Cval, InterpolationOrder);
        if (p.ChannelShiftIntensity is { } cs) AffineWarp.ChannelShift(dst, (float)cs);
        if (p.FlipHorizontal) AffineWarp.FlipColumns(dst, h, w, c);
        if (p.FlipVertical) AffineWarp.FlipRows(dst, h, w, c);
        if (p.Brightness is { } b) AffineWarp.Brightness(dst, (float)b);
    }

    /// <summary>Random transform with a per-sample seed, then standardize, from src into dst (both (h, w, c)).</summary>
    internal void Augment(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int c, int sampleSeed)
    {
        if (IsIdentity) src.CopyTo(dst);
        else ApplyTransformInto(src, dst, h, w, c, GetRandomTransform(h, w, new Random(sampleSeed)));
        if (PreprocessingFunction is not null)
        {
            var view = new Tensor(h, w, c);
            dst.CopyTo(view.Span);
            Standardize(view);
            view.Span.CopyTo(dst);
        }
        else if (Rescale is { } scale) System.Numerics.Tensors.TensorPrimitives.Multiply(dst, scale, dst);
    }

    internal int NextSeed()
    {
        lock (_randomLock) return _random.Next();
    }

    private static void CheckImage(Tensor image)
    {
        if (image.Rank != 3)
            throw new ArgumentException($"Expected one image of shape (height, width, channels) but got shape {Tensor.FormatShape(image.Shape)}.", nameof(image));
    }

    /// <summary>
    /// Batches from a folder with one sub-folder per class (Keras' flow_from_directory). Classes are the sorted
    /// sub-folder names (or <paramref name="classes"/>); files are listed recursively in sorted order and those
    /// without an image extension are skipped. With <paramref name="subset"/>, each class's first
    /// <see cref="ValidationSplit"/> fraction of files is the validation subset and the rest the training subset.
    /// </summary>
    public DirectoryIterator FlowFromDirectory(string directory, (int Height, int Width)? targetSize = null,
        ColorMode colorMode = ColorMode.Rgb, IReadOnlyList<string>? classes = null, ClassMode classMode = ClassMode.Categorical,
        int batchSize = 32, bool shuffle = true, int? seed = null, Subset? subset = null,
        Interpolation interpolation = Interpolation.Nearest, bool skipBadFiles = false)
        => new(directory, this, targetSize ?? (256, 256), colorMode, classes, classMode, batchSize, shuffle,
               seed ?? NextSeed(), subset, interpolation, skipBadFiles);

    /// <summary>Batches from in-memory NHWC images <paramref name="x"/> (values as stored, e.g. 0..255) and optional
    /// targets <paramref name="y"/> (first axis = samples), with this generator's augmentation (Keras' flow).</summary>
    public ArrayIterator Flow(Tensor x, Tensor? y = null, int batchSize = 32, bool shuffle = true, int? seed = null)
        => new(x, y, this, batchSize, shuffle, seed ?? NextSeed());
}
