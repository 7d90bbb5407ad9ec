namespace DeepSharp.Vision;

public sealed partial class ImageDataGenerator
{
    private int _warned;

    /// <summary>Subtract the per-channel mean learnt by <see cref="Fit"/> (Keras' featurewise_center; implied by
    /// featurewiseStdNormalization and zcaWhitening, as in Keras).</summary>
    public bool FeaturewiseCenter { get; }
    /// <summary>Divide by the per-channel std (+1e-6) learnt by <see cref="Fit"/> (off when zcaWhitening is on, as in Keras).</summary>
    public bool FeaturewiseStdNormalization { get; }
    /// <summary>Subtract each image's own mean (over all pixels and channels).</summary>
    public bool SamplewiseCenter { get; }
    /// <summary>Divide each image by its own std (+1e-6).</summary>
    public bool SamplewiseStdNormalization { get; }
    /// <summary>Multiply each flattened image by the ZCA matrix learnt by <see cref="Fit"/>.</summary>
    public bool ZcaWhitening { get; }
    /// <summary>Added to the covariance's eigenvalues before the inverse square root (Keras' default 1e-6).</summary>
    public float ZcaEpsilon { get; }
    /// <summary>Layout of the images this generator takes and returns.</summary>
    public DataFormat DataFormat { get; }

    /// <summary>Per-channel mean learnt by <see cref="Fit"/> (shape (channels)); null before. May be set directly.</summary>
    public Tensor? Mean { get; set; }
    /// <summary>Per-channel std learnt by <see cref="Fit"/> (shape (channels)); null before. May be set directly.</summary>
    public Tensor? Std { get; set; }
    /// <summary>The ZCA matrix (d, d), d = h·w·c, learnt by <see cref="Fit"/>; null before. May be set directly.</summary>
    public Tensor? PrincipalComponents { get; set; }

    /// <summary>
    /// Keras' standardize, in place, on one image in the generator's <see cref="DataFormat"/>:
    /// preprocessingFunction, rescale, samplewise centre / std, featurewise centre / std, ZCA. Returns <paramref name="image"/>.
    /// </summary>
    /// <example><code>
    /// var gen = new ImageDataGenerator(featurewiseCenter: true, featurewiseStdNormalization: true);
    /// gen.Fit(xTrain);
    /// var x0 = gen.Standardize(image);   // (image - mean) / (std + 1e-6), per channel
    /// </code></example>
    public Tensor Standardize(Tensor image)
    {
        var (h, w, c) = CheckImage(image);
        StandardizeInPlace(image.Span, h, w, c);
        return image;
    }

    internal void StandardizeInPlace(Span<float> x, int h, int w, int c)
    {
        if (PreprocessingFunction is { } f)
        {
            var view = DataFormat == DataFormat.ChannelsFirst ? new Tensor(c, h, w) : new Tensor(h, w, c);
            x.CopyTo(view.Span);
            var r = f(view);
            if (!r.Shape.SequenceEqual(view.Shape))
                throw new InvalidOperationException($"preprocessingFunction returned shape {Tensor.FormatShape(r.Shape)} for an image of shape {Tensor.FormatShape(view.Shape)}. It must keep the shape.");
            r.Span.CopyTo(x);
        }
        if (Rescale is { } scale) System.Numerics.Tensors.TensorPrimitives.Multiply(x, scale, x);
        if (SamplewiseCenter)
        {
            float mean = (float)MeanOf(x);
            System.Numerics.Tensors.TensorPrimitives.Subtract(x, mean, x);
        }
        if (SamplewiseStdNormalization)
        {
            float std = (float)Math.Sqrt(VarianceOf(x, MeanOf(x)));
            System.Numerics.Tensors.TensorPrimitives.Divide(x, std + 1e-6f, x);
        }
        if (FeaturewiseCenter)
        {
            if (Mean is { } m) PerChannel(x, h, w, c, m, (v, s) => v - s, nameof(Mean));
            else Warn(1, "featurewiseCenter");
        }
        if (FeaturewiseStdNormalization)
        {
            if (Std is { } sd) PerChannel(x, h, w, c, sd, (v, s) => v / (s + 1e-6f), nameof(Std));
            else Warn(2, "featurewiseStdNormalization");
        }
        if (ZcaWhitening)
        {
            if (PrincipalComponents is { } pc) Whiten(x, pc);
            else Warn(4, "zcaWhitening");
        }
    }

    private void Warn(int bit, string option)
    {
        if ((Interlocked.Or(ref _warned, bit) & bit) == 0)
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(DeepSharp.Logging.DeepSharpLogging.Logger,
                "This ImageDataGenerator specifies {Option}, but it hasn't been fit on any training data. Fit it first by calling Fit(x).", option);
    }

    private void PerChannel(Span<float> x, int h, int w, int c, Tensor stat, Func<float, float, float> op, string name)
    {
        if (stat.Size != c)
            throw new InvalidOperationException($"The generator's {name} has {stat.Size} values but the image has {c} channels. Fit the generator on images with {c} channels.");
        var s = stat.Span;
        if (DataFormat == DataFormat.ChannelsLast)
            for (int i = 0; i < x.Length; i++) x[i] = op(x[i], s[i % c]);
        else
            for (int i = 0; i < x.Length; i++) x[i] = op(x[i], s[i / (h * w)]);
    }

    private static void Whiten(Span<float> x, Tensor pc)
    {
        int d = x.Length;
        if (pc.Rank != 2 || pc.Dim(0) != d || pc.Dim(1) != d)
            throw new InvalidOperationException($"The ZCA matrix has shape {Tensor.FormatShape(pc.Shape)} but an image has {d} values: expected ({d}, {d}). Fit the generator on images of this size.");
        var input = x.ToArray();
        var acc = new double[d];
        var m = pc.Span;
        for (int i = 0; i < d; i++)
        {
            double v = input[i];
            if (v == 0) continue;
            var row = m.Slice(i * d, d);
            for (int j = 0; j < d; j++) acc[j] += v * row[j];
        }
        for (int j = 0; j < d; j++) x[j] = (float)acc[j];
    }

    private static double MeanOf(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (var v in x) s += v;
        return s / x.Length;
    }

    private static double VarianceOf(ReadOnlySpan<float> x, double mean)
    {
        double s = 0;
        foreach (var v in x) s += (v - mean) * (v - mean);
        return s / x.Length;
    }

    /// <summary>
    /// Keras' fit: learns the statistics that featurewise centering, std normalization and ZCA whitening use, from
    /// sample images <paramref name="x"/> (n, h, w, c) (or (n, c, h, w) for channels-first). With
    /// <paramref name="augment"/>, the statistics are computed on <paramref name="rounds"/> random transforms of
    /// every image. As in Keras, neither rescale nor preprocessingFunction is applied to <paramref name="x"/> here,
    /// so give the images as the generator will see them before standardizing (or rescale them yourself).
    /// </summary>
    /// <example><code>
    /// var gen = new ImageDataGenerator(zcaWhitening: true);
    /// gen.Fit(xTrain);                         // mean, then the ZCA matrix of the centred images
    /// using var it = gen.Flow(xTrain, yTrain);
    /// </code></example>
    public void Fit(Tensor x, bool augment = false, int rounds = 1, int? seed = null)
    {
        if (x.Rank != 4)
            throw new ArgumentException($"Fit expects a batch of images of rank 4 but got shape {Tensor.FormatShape(x.Shape)}.", nameof(x));
        if (rounds < 1) throw new ArgumentException($"rounds is {rounds} but must be at least 1.", nameof(rounds));
        bool cf = DataFormat == DataFormat.ChannelsFirst;
        int n = x.Dim(0), h = cf ? x.Dim(2) : x.Dim(1), w = cf ? x.Dim(3) : x.Dim(2), c = cf ? x.Dim(1) : x.Dim(3);
        int size = h * w * c;
        float[] data;
        if (augment)
        {
            var random = seed is { } s ? new Random(s) : new Random(NextSeed());
            data = new float[(long)rounds * n * size is var total && total <= Array.MaxLength ? (int)total : throw new ArgumentException("Fit with augment: rounds * images is too large.")];
            var one = new Tensor(x.Shape[1..].ToArray());
            for (int r = 0; r < rounds; r++)
                for (int i = 0; i < n; i++)
                {
                    x.Span.Slice(i * size, size).CopyTo(one.Span);
                    ApplyTransform(one, GetRandomTransform(h, w, random)).Span.CopyTo(data.AsSpan((r * n + i) * size, size));
                }
            n *= rounds;
        }
        else data = x.Span.ToArray();

        int Channel(int i) => cf ? (i % size) / (h * w) : i % c;
        if (FeaturewiseCenter)
        {
            var sums = new double[c];
            for (int i = 0; i < data.Length; i++) sums[Channel(i)] += data[i];
            var mean = new float[c];
            for (int k = 0; k < c; k++) mean[k] = (float)(sums[k] / ((double)n * h * w));
            for (int i = 0; i < data.Length; i++) data[i] -= mean[Channel(i)];
            Mean = Tensor.FromArray(mean, c);
        }
        if (FeaturewiseStdNormalization)
        {
            var sums = new double[c];
            var sq = new double[c];
            for (int i = 0; i < data.Length; i++) sums[Channel(i)] += data[i];
            for (int i = 0; i < data.Length; i++)
            {
                double dv = data[i] - sums[Channel(i)] / ((double)n * h * w);
                sq[Channel(i)] += dv * dv;
            }
            var std = new float[c];
            for (int k = 0; k < c; k++) std[k] = (float)Math.Sqrt(sq[k] / ((double)n * h * w));
            for (int i = 0; i < data.Length; i++) data[i] /= std[Channel(i)] + 1e-6f;
            Std = Tensor.FromArray(std, c);
        }
        if (ZcaWhitening) PrincipalComponents = Zca(data, n, size, ZcaEpsilon);
    }

    /// <summary>U · diag(1 / sqrt(s + ε)) · Uᵀ of the covariance flatᵀ·flat / n (Keras' principal_components).</summary>
    private static Tensor Zca(float[] data, int n, int d, float epsilon)
    {
        if ((long)d * d > 64L * 1024 * 1024)
            throw new ArgumentException($"zcaWhitening needs a {d}x{d} matrix for images of {d} values: too large. Use smaller images (e.g. 32x32x3 = 3072 values) for ZCA.");
        var sigma = new double[d * d];
        Parallel.For(0, d, i =>
        {
            for (int j = i; j < d; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += (double)data[k * d + i] * data[k * d + j];
                sigma[i * d + j] = sigma[j * d + i] = s / n;
            }
        });
        var (values, u) = SymmetricEigen.Decompose(sigma, d);
        var sInv = values.Select(v => 1.0 / Math.Sqrt(Math.Abs(v) + epsilon)).ToArray();
        var pc = new float[d * d];
        Parallel.For(0, d, i =>
        {
            for (int j = 0; j < d; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) s += u[i * d + k] * sInv[k] * u[j * d + k];
                pc[i * d + j] = (float)s;
            }
        });
        return Tensor.FromArray(pc, d, d);
    }
}
