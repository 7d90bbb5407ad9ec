namespace DeepSharp.Backends;

/// <summary>
/// One axis of a separable image resampling (<see cref="IBackend.Resample"/>): output index i reads the input indices
/// <c>Start[i] .. Start[i] + Taps - 1</c> with the weights <c>Weights[i * Taps + t]</c>; an index outside [0, InSize)
/// reads the fill value (a padded border). Crops, pads and Keras 3's resize kernels are all such axes.
/// </summary>
/// <remarks>
/// The resize weights follow Keras 3's numpy backend (keras/src/backend/numpy/image.py, <c>_resize</c>,
/// <c>_compute_weight_mat</c> and <c>_resize_nearest</c>): half-pixel sample positions, the kernel's weights normalised
/// to sum 1 (0 when the sum is below 1000·ε), zero for samples outside [-0.5, n - 0.5], an axis whose size does not
/// change is left alone, and nearest picks floor((i + 0.5)·m/n) in float32.
/// </remarks>
internal sealed class ResampleAxis
{
    private ResampleAxis(int inSize, int outSize, int taps, int[] start, float[] weights)
    {
        InSize = inSize;
        OutSize = outSize;
        Taps = taps;
        Start = start;
        Weights = weights;
    }

    /// <summary>The input's length along this axis.</summary>
    public int InSize { get; }

    /// <summary>The output's length along this axis.</summary>
    public int OutSize { get; }

    /// <summary>Input samples read per output sample.</summary>
    public int Taps { get; }

    /// <summary>The first input index read by each output index (may lie outside [0, InSize): the fill value).</summary>
    public int[] Start { get; }

    /// <summary>OutSize × Taps weights.</summary>
    public float[] Weights { get; }

    /// <summary>Output i = input <paramref name="start"/> + i for i in [0, <paramref name="size"/>): a crop, or a pad where it leaves the input.</summary>
    public static ResampleAxis Window(int inSize, int start, int size)
    {
        var s = new int[size];
        var w = new float[size];
        for (int i = 0; i < size; i++) { s[i] = start + i; w[i] = 1f; }
        return new ResampleAxis(inSize, size, 1, s, w);
    }

    /// <summary>
    /// Keras 3's resize of the window [<paramref name="windowStart"/>, <paramref name="windowStart"/> + <paramref name="windowSize"/>)
    /// of the input (a crop when inside it, a pad with the fill value where it leaves it) to <paramref name="outSize"/> samples.
    /// </summary>
    /// <param name="interpolation">"nearest", "bilinear", "bicubic", "lanczos3" or "lanczos5".</param>
    public static ResampleAxis Resize(int inSize, int windowStart, int windowSize, int outSize, string interpolation, bool antialias)
    {
        if (windowSize == outSize) return Window(inSize, windowStart, windowSize);   // Keras resizes only the axes that change
        int m = windowSize, n = outSize;
        if (interpolation == "nearest")
        {
            var s = new int[n];
            var w = new float[n];
            for (int i = 0; i < n; i++)
            {
                float offset = ((float)i + 0.5f) * m / n;   // float32, as np.arange(n, dtype=float32)
                s[i] = windowStart + (int)MathF.Floor(offset);
                w[i] = 1f;
            }
            return new ResampleAxis(inSize, n, 1, s, w);
        }
        (Func<double, double> kernel, double radius) = interpolation switch
        {
            "bilinear" => ((Func<double, double>)Triangle, 1.0),
            "bicubic" => (KeysCubic, 2.0),
            "lanczos3" => (x => Lanczos(3.0, x), 3.0),
            "lanczos5" => (x => Lanczos(5.0, x), 5.0),
            _ => throw new ArgumentException($"unknown interpolation \"{interpolation}\"; expected nearest, bilinear, bicubic, lanczos3 or lanczos5.", nameof(interpolation)),
        };
        double scale = (double)n / m, invScale = 1.0 / scale;
        double kernelScale = antialias ? Math.Max(invScale, 1.0) : 1.0;
        double reach = radius * kernelScale;
        int taps = (int)Math.Ceiling(2 * reach) + 1;
        var start = new int[n];
        var weights = new float[n * taps];
        var row = new double[taps];
        for (int i = 0; i < n; i++)
        {
            double sample = (i + 0.5) * invScale - 0.0 * invScale - 0.5;
            int first = Math.Max(0, (int)Math.Ceiling(sample - reach));
            int last = Math.Min(m - 1, (int)Math.Floor(sample + reach));
            start[i] = windowStart + first;
            double sum = 0;
            Array.Clear(row);
            for (int j = first; j <= last && j - first < taps; j++)
            {
                row[j - first] = kernel(Math.Abs(sample - j) / kernelScale);
                sum += row[j - first];
            }
            bool inside = sample >= -0.5 && sample <= m - 0.5;
            bool normalise = Math.Abs(sum) > 1000.0 * Float32Epsilon;
            for (int t = 0; t < taps; t++)
                weights[i * taps + t] = inside && normalise ? (float)(row[t] / (sum != 0 ? sum : 1)) : 0f;
        }
        return new ResampleAxis(inSize, n, taps, start, weights);
    }

    /// <summary>numpy's <c>np.finfo(np.float32).eps</c> (2^-23; C#'s float.Epsilon is the smallest subnormal).</summary>
    private const double Float32Epsilon = 1.1920928955078125e-07;

    private static double Triangle(double x) => Math.Max(0, 1 - Math.Abs(x));

    private static double KeysCubic(double x)
    {
        if (x >= 2.0) return 0.0;
        if (x >= 1.0) return ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0;
        return ((1.5 * x - 2.5) * x) * x + 1.0;
    }

    private static double Lanczos(double radius, double x)
    {
        if (x > radius) return 0.0;
        if (!(x > 1e-3)) return 1.0;
        double y = radius * Math.Sin(Math.PI * x) * Math.Sin(Math.PI * x / radius);
        return y / (Math.PI * Math.PI * x * x);
    }
}
