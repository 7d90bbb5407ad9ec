using DeepSharp.Backends;
using DeepSharp.Initializers;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Normalizes each sample over its last axis (or trailing axes) to mean 0 and variance 1, then scales by gamma and shifts
/// by beta (Keras 3's LayerNormalization, keras/src/layers/normalization/layer_normalization.py):
/// y = (x - mean)/√(var + epsilon)·gamma + beta, the same in training and inference. Keras' defaults: axis -1,
/// epsilon 1e-3, center and scale on; weights "gamma" then "beta", shaped like the normalized axes.
/// </summary>
/// <example><code>
/// new LayerNormalization()                          // over the channels of each pixel (axis -1)
/// new LayerNormalization(axis: [1, 2, 3])           // over the whole (h, w, c) of each image
/// </code></example>
public sealed class LayerNormalization : SingleInputLayer, ILayerFromConfig<LayerNormalization>
{
    private readonly int[] _axisGiven;
    private int[]? _axes;
    private Parameter? _gamma, _beta;
    private Tensor? _x, _y, _dx;
    private float[] _mean = [], _invStd = [];

    /// <param name="axis">The axis to normalize over, counting the batch axis (Keras' convention); -1 (default) is the last.</param>
    /// <param name="epsilon">Added to the variance; Keras' default 1e-3.</param>
    /// <param name="center">Whether to add the learned offset beta.</param>
    /// <param name="scale">Whether to multiply by the learned gamma.</param>
    /// <param name="betaInitializer">zeros by default.</param>
    /// <param name="gammaInitializer">ones by default.</param>
    /// <param name="name">The layer's name; generated (layer_normalization, ...) when null.</param>
    public LayerNormalization(int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null, string? name = null)
        : this([axis], epsilon, center, scale, betaInitializer, gammaInitializer, name) { }

    /// <param name="axis">The trailing axes to normalize over together, counting the batch axis, e.g. [1, 2, 3] for whole images.</param>
    /// <param name="epsilon">Added to the variance; Keras' default 1e-3.</param>
    /// <param name="center">Whether to add the learned offset beta.</param>
    /// <param name="scale">Whether to multiply by the learned gamma.</param>
    /// <param name="betaInitializer">zeros by default.</param>
    /// <param name="gammaInitializer">ones by default.</param>
    /// <param name="name">The layer's name; generated (layer_normalization, ...) when null.</param>
    public LayerNormalization(int[] axis, double epsilon = 1e-3, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(axis);
        if (axis.Length == 0) throw new ArgumentException($"LayerNormalization '{Name}': axis must name at least one axis.", nameof(axis));
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"LayerNormalization '{Name}': epsilon must be a finite number ≥ 0, got {epsilon}.");
        _axisGiven = axis.ToArray();
        Epsilon = (float)epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = betaInitializer ?? new Constant(0f);
        GammaInitializer = gammaInitializer ?? new Constant(1f);
    }

    /// <summary>The normalized axes (counting the batch axis): as given until built, then resolved and sorted, as Keras.</summary>
    public IReadOnlyList<int> Axis => _axes ?? _axisGiven;
    public float Epsilon { get; }
    public bool Center { get; }
    public bool Scale { get; }
    public Initializer BetaInitializer { get; }
    public Initializer GammaInitializer { get; }
    public Parameter? Gamma => _gamma;
    public Parameter? Beta => _beta;

    /// <summary>The sorted axes for a per-sample shape; they must be the trailing ones (one contiguous block per sample row).</summary>
    private int[] Resolve(int[] input)
    {
        var axes = _axisGiven.Select(a => LayerAxes.Resolve(a, input.Length, Name, ClassName)).Distinct().Order().ToArray();
        if (axes.Length != _axisGiven.Length)
            throw new ArgumentException($"LayerNormalization '{Name}': axis [{string.Join(", ", _axisGiven)}] names an axis twice.");
        if (axes[^1] != input.Length || axes[0] != input.Length - axes.Length + 1)
            throw new NotSupportedException($"LayerNormalization '{Name}': axis [{string.Join(", ", _axisGiven)}] on inputs of shape (None, {string.Join(", ", input)}) is not supported: DeepSharp normalizes over the last axes only (e.g. -1, or [1, 2, 3] for whole images).");
        return axes;
    }

    protected override int[] OutputShape(int[] input)
    {
        Resolve(input);
        return input;
    }

    protected override void Build(int[] input)
    {
        _axes = Resolve(input);
        int[] shape = _axes.Select(a => input[a - 1]).ToArray();
        if (Scale) _gamma = AddWeight("gamma", shape, GammaInitializer);
        if (Center) _beta = AddWeight("beta", shape, BetaInitializer);
    }

    private int Rows(Tensor x)
    {
        int d = 1;
        foreach (int a in _axes!) d *= x.Dim(a);
        return x.Size / d;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        Tensor.Ensure(ref _y, x.Shape);
        int rows = Rows(x);
        if (_mean.Length != rows) { _mean = new float[rows]; _invStd = new float[rows]; }
        Backend.Current.LayerNorm(x, _gamma?.Value, _beta?.Value, Epsilon, _y!, _mean, _invStd);
        return _y!;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        if (needInputGradients) Tensor.Ensure(ref _dx, dy.Shape);
        bool weights = ComputeWeightGradients;
        Backend.Current.LayerNormBackward(_x!, _gamma?.Value, _mean, _invStd, dy, needInputGradients ? _dx : null,
            weights ? _gamma?.Grad : null, weights ? _beta?.Grad : null);
        InputGradient = needInputGradients ? _dx : null;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = _axes is { } a ? a : _axisGiven.Length == 1 ? _axisGiven[0] : _axisGiven;
        c["epsilon"] = Epsilon;
        c["center"] = Center;
        c["scale"] = Scale;
        c["rms_scaling"] = false;
        c["beta_initializer"] = BetaInitializer.ToKerasConfig();
        c["gamma_initializer"] = GammaInitializer.ToKerasConfig();
        foreach (var k in (string[])["beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"])
            c[k] = null;
        return c;
    }

    /// <summary>Rebuilds a LayerNormalization from its Keras config (axis an int or a list); rms_scaling=true is refused.</summary>
    public static LayerNormalization FromConfig(LayerConfig c)
    {
        if (c.Bool("rms_scaling", false))
            throw new NotSupportedException($"LayerNormalization '{c.Name}': rms_scaling=true is not supported (Keras deprecated it; use RMS normalization).");
        int[] axis = c.Json["axis"] is System.Text.Json.Nodes.JsonArray ? LayerAxes.ReadInts(c, "axis") : [c.Int("axis", -1)];
        return new LayerNormalization(axis, c.Float("epsilon", 1e-3f), c.Bool("center", true), c.Bool("scale", true),
            c.Initializer("beta_initializer", "zeros"), c.Initializer("gamma_initializer", "ones"), c.Name);
    }
}
