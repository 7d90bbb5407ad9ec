namespace DeepSharp.Vision;

/// <summary>
/// Keras' (legacy) <c>ImageDataGenerator</c>: random augmentation plus rescaling, feeding batches from a folder tree
/// (<see cref="FlowFromDirectory"/>) or from arrays (<see cref="Flow"/>). Parameters and defaults are Keras':
/// <list type="bullet">
/// <item><c>rotationRange</c>: theta ~ uniform(-r, r) degrees.</item>
/// <item><c>heightShiftRange</c> / <c>widthShiftRange</c>: tx (rows) / ty (columns) ~ uniform(-s, s), a fraction of the
/// height / width when s &lt; 1, pixels when s ≥ 1; an int n draws integers in (-n, n), a list one of its values
/// with a random sign (<see cref="ShiftRange"/>).</item>
/// <item><c>shearRange</c>: shear ~ uniform(-s, s) degrees. <c>zoomRange</c>: zx, zy drawn independently.</item>
/// <item>flips with probability 0.5; <c>channelShiftRange</c>; <c>brightnessRange</c> (PIL brightness factor).</item>
/// <item>One composed affine transform per image, resampled once (bilinear or nearest: <c>interpolationOrder</c> 1 or 0;
/// <see cref="FillMode"/> as scipy 1.6+).</item>
/// <item>After the random transform, Keras' standardize: <c>preprocessingFunction</c>, <c>rescale</c>, samplewise
/// centering / std normalization, then the featurewise statistics and ZCA matrix learnt by <see cref="Fit"/>.</item>
/// <item><c>dataFormat</c>: channels-last (default) or channels-first arrays and batches.</item>
/// </list>
/// </summary>
/// <example><code>
/// var gen = new ImageDataGenerator(rescale: 1.0 / 255, rotationRange: 40, widthShiftRange: 0.2, heightShiftRange: 0.2,
///     shearRange: 0.2, zoomRange: 0.2, horizontalFlip: true, fillMode: FillMode.Nearest);
/// using var train = gen.FlowFromDirectory("data/train", targetSize: (150, 150), batchSize: 32, classMode: ClassMode.Binary);
/// var (x, y) = train.Next();   // x: (32, 150, 150, 3) in 0..1, y: (32)
/// </code></example>
public sealed partial class ImageDataGenerator
{
    private readonly Random _random;
    private readonly object _randomLock = new();

    public float? Rescale { get; }
    public float RotationRange { get; }
    public ShiftRange WidthShiftRange { get; }
    public ShiftRange HeightShiftRange { get; }
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

    /// <summary>Creates a generator; the parameters are Keras' (see the class summary), in .NET casing.</summary>
    /// <param name="dtype">The element type of the arrays made: only "float32" (DeepSharp's tensors are float32).</param>
    public ImageDataGenerator(double? rescale = null, double rotationRange = 0, ShiftRange widthShiftRange = default, ShiftRange heightShiftRange = default,
        double shearRange = 0, ZoomRange? zoomRange = null, double channelShiftRange = 0, (double Low, double High)? brightnessRange = null,
        bool horizontalFlip = false, bool verticalFlip = false, FillMode fillMode = FillMode.Nearest, double cval = 0,
        double validationSplit = 0, Func<Tensor, Tensor>? preprocessingFunction = null, int? seed = null, int interpolationOrder = 1,
        bool featurewiseCenter = false, bool samplewiseCenter = false, bool featurewiseStdNormalization = false,
        bool samplewiseStdNormalization = false, bool zcaWhitening = false, double zcaEpsilon = 1e-6,
        DataFormat dataFormat = DataFormat.ChannelsLast, string dtype = "float32")
    {
        if (dtype != "float32")
            throw new ArgumentException($"dtype \"{dtype}\" is not supported: DeepSharp's tensors are float32. Pass \"float32\" (Keras' default).", nameof(dtype));
        // Keras' implied settings: ZCA centres (and replaces std normalization), std normalization centres.
        FeaturewiseCenter = featurewiseCenter || zcaWhitening || featurewiseStdNormalization;
        FeaturewiseStdNormalization = featurewiseStdNormalization && !zcaWhitening;
        SamplewiseCenter = samplewiseCenter || samplewiseStdNormalization;
        SamplewiseStdNormalization = samplewiseStdNormalization;
        ZcaWhitening = zcaWhitening;
        ZcaEpsilon = (float)zcaEpsilon;
        DataFormat = dataFormat;
        if (interpolationOrder is not (0 or 1))
            throw new ArgumentException($"interpolationOrder {interpolationOrder} is not supported: DeepSharp implements scipy's order 1 (bilinear, Keras' default) and 0 (nearest). Spline orders 2-5 are not implemented.", nameof(interpolationOrder));
        InterpolationOrder = interpolationOrder;
        CheckNonNegative(rotationRange, nameof(rotationRange));
        CheckNonNegative(shearRange, nameof(shearRange));
        CheckNonNegative(channelShiftRange, nameof(channelShiftRange));
        var zoom = zoomRange ?? (ZoomRange)0.0;
        if (zoom.Low <= 0 || zoom.High < zoom.Low)
            throw new ArgumentException($"zoomRange [{zoom.Low}, {zoom.High}] is invalid: zoom factors must be positive with low <= high. Pass a float z < 1 (meaning [1-z, 1+z]) or a pair (low, high).", nameof(zoomRange));
        if (brightnessRange is { } b && (b.Low < 0 || b.High < b.Low))
            throw new ArgumentException($"brightnessRange ({b.Low}, {b.High}) is invalid: expected 0 <= low <= high, e.g. (0.8, 1.2).", nameof(brightnessRange));
        if (validationSplit < 0 || validationSplit >= 1)
            throw new ArgumentException($"validationSplit {validationSplit} is outside [0, 1). Give the fraction of each class kept for validation, e.g. 0.2.", nameof(validationSplit));
        Rescale = rescale is 0 ? null : (float?)rescale;
        RotationRange = (float)rotationRange;
        WidthShiftRange = widthShiftRange;
        HeightShiftRange = heightShiftRange;
        ShearRange = (float)shearRange;
        ZoomRange = zoom;
        ChannelShiftRange = (float)channelShiftRange;
        BrightnessRange = brightnessRange is { } br ? ((float)br.Low, (float)br.High) : null;
        HorizontalFlip = horizontalFlip;
        VerticalFlip = verticalFlip;
        FillMode = fillMode;
        Cval = (float)cval;
        ValidationSplit = (float)validationSplit;
        PreprocessingFunction = preprocessingFunction;
        _random = seed is { } s ? new Random(s) : Rng.Fork();
    }

    private static void CheckNonNegative(double v, string name)
    {
        if (v < 0 || double.IsNaN(v))
            throw new ArgumentException($"{name} is {v} but must be 0 or more (0 turns it off).", name);
    }

    /// <summary>True when no random transform is configured (then images are only standardized).</summary>
    public bool IsIdentity => RotationRange == 0 && WidthShiftRange.IsOff && HeightShiftRange.IsOff && ShearRange == 0 &&
                              ZoomRange.IsIdentity && ChannelShiftRange == 0 && BrightnessRange is null && !HorizontalFlip && !VerticalFlip;

    /// <summary>Draws one set of transform parameters for an image of the given size (Keras' get_random_transform).</summary>
    public TransformParameters GetRandomTransform(int height, int width, Random random)
    {
        double U(double lo, double hi) => lo + (hi - lo) * random.NextDouble();
        double theta = RotationRange != 0 ? U(-RotationRange, RotationRange) : 0;
        double tx = HeightShiftRange.Draw(random, height);
        double ty = WidthShiftRange.Draw(random, width);
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

    /// <summary>Applies given transform parameters to one image in the generator's <see cref="DataFormat"/>; returns a
    /// new tensor (Keras' apply_transform).</summary>
    public Tensor ApplyTransform(Tensor image, TransformParameters parameters)
    {
        var (h, w, c) = CheckImage(image);
        var hwc = ToChannelsLast(image.Span, h, w, c);
        var result = new float[h * w * c];
        ApplyTransformInto(hwc, result, h, w, c, parameters);
        var t = new Tensor(image.Shape.ToArray());
        FromChannelsLast(result, t.Span, h, w, c);
        return t;
    }

    /// <summary>A random transform of one image (in the generator's <see cref="DataFormat"/>); the same
    /// <paramref name="seed"/> gives the same result. Without a seed the generator's own seeded random numbers are
    /// used. Does not standardize (see <see cref="Standardize"/>).</summary>
    public Tensor RandomTransform(Tensor image, int? seed = null)
    {
        var (h, w, _) = CheckImage(image);
        TransformParameters p;
        if (seed is { } s) p = GetRandomTransform(h, w, new Random(s));
        else lock (_randomLock) p = GetRandomTransform(h, w, _random);
        return ApplyTransform(image, p);
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

    [ThreadStatic] private static float[]? _hwcScratch;

    /// <summary>Random transform with a per-sample seed, then standardize: <paramref name="src"/> is channels-last
    /// (h, w, c), <paramref name="dst"/> is in the generator's <see cref="DataFormat"/>.</summary>
    internal void Augment(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int c, int sampleSeed)
    {
        int size = h * w * c;
        Span<float> hwc = DataFormat == DataFormat.ChannelsLast ? dst
            : (_hwcScratch is { } s && s.Length >= size ? s : (_hwcScratch = new float[size])).AsSpan(0, size);
        if (IsIdentity) src.CopyTo(hwc);
        else ApplyTransformInto(src, hwc, h, w, c, GetRandomTransform(h, w, new Random(sampleSeed)));
        if (DataFormat == DataFormat.ChannelsFirst) FromChannelsLast(hwc, dst, h, w, c);
        StandardizeInPlace(dst, h, w, c);
    }

    internal int NextSeed()
    {
        lock (_randomLock) return _random.Next();
    }

    /// <summary>(h, w, c) of one image in the generator's data format.</summary>
    private (int H, int W, int C) CheckImage(Tensor image)
    {
        if (image.Rank != 3)
            throw new ArgumentException($"Expected one image of shape {(DataFormat == DataFormat.ChannelsFirst ? "(channels, height, width)" : "(height, width, channels)")} but got shape {Tensor.FormatShape(image.Shape)}.", nameof(image));
        return DataFormat == DataFormat.ChannelsFirst ? (image.Dim(1), image.Dim(2), image.Dim(0)) : (image.Dim(0), image.Dim(1), image.Dim(2));
    }

    /// <summary>The image as channels-last floats (a copy when the data format is channels-first).</summary>
    private float[] ToChannelsLast(ReadOnlySpan<float> x, int h, int w, int c)
    {
        var r = new float[h * w * c];
        if (DataFormat == DataFormat.ChannelsLast) { x.CopyTo(r); return r; }
        for (int k = 0; k < c; k++)
            for (int i = 0; i < h * w; i++) r[i * c + k] = x[k * h * w + i];
        return r;
    }

    /// <summary>Writes a channels-last image into <paramref name="dst"/> in the generator's data format.</summary>
    internal void FromChannelsLast(ReadOnlySpan<float> hwc, Span<float> dst, int h, int w, int c)
    {
        if (DataFormat == DataFormat.ChannelsLast) { hwc.CopyTo(dst); return; }
        for (int k = 0; k < c; k++)
            for (int i = 0; i < h * w; i++) dst[k * h * w + i] = hwc[i * c + k];
    }
}
