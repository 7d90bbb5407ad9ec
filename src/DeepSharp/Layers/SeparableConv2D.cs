using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Initializers;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Depthwise separable 2-D convolution (Keras 3's SeparableConv2D, keras/src/layers/convolutional/base_separable_conv.py):
/// a depthwise convolution (each input channel with its own <c>depthMultiplier</c> kernels, with the strides and padding)
/// then a 1×1 convolution to <c>filters</c> channels, then the bias and the activation. Weights in Keras' names and order:
/// "depthwise_kernel" (kh, kw, in, depthMultiplier), "pointwise_kernel" (1, 1, in·depthMultiplier, filters), "bias" (filters).
/// </summary>
/// <example><code>
/// new SeparableConv2D(64, (3, 3), padding: "same", activation: "relu")
/// </code></example>
public sealed class SeparableConv2D : SingleInputLayer, ILayerFromConfig<SeparableConv2D>
{
    private readonly ActivationStage _activation;
    private Parameter? _depthwise, _pointwise, _bias;
    private Tensor? _x, _mid, _y, _dMid, _dx;
    private readonly BackendScratch _depthwiseScratch = new(), _pointwiseScratch = new();
    private ConvGeometry _g, _pointG;

    /// <param name="filters">Output channels of the pointwise step.</param>
    /// <param name="kernelSize">The depthwise window: an int for a square window, or (height, width).</param>
    /// <param name="strides">Step of the depthwise window; default 1.</param>
    /// <param name="padding">"valid" (default) or "same".</param>
    /// <param name="depthMultiplier">Depthwise output channels per input channel; default 1.</param>
    /// <param name="activation">A Keras name or one of <see cref="Activations"/>; none by default.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="depthwiseInitializer">glorot_uniform by default.</param>
    /// <param name="pointwiseInitializer">glorot_uniform by default.</param>
    /// <param name="biasInitializer">zeros by default.</param>
    /// <param name="inputShape">The per-sample input shape, for the first layer of a Sequential.</param>
    /// <param name="name">The layer's name; generated (separable_conv2d, ...) when null.</param>
    public SeparableConv2D(int filters, IntPair kernelSize, IntPair? strides = null, PaddingOption padding = default, int depthMultiplier = 1,
        ActivationOption activation = default, bool useBias = true, Initializer? depthwiseInitializer = null,
        Initializer? pointwiseInitializer = null, Initializer? biasInitializer = null, (int H, int W, int C)? inputShape = null, string? name = null)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        if (filters <= 0) throw new ArgumentOutOfRangeException(nameof(filters), $"SeparableConv2D '{Name}': filters must be positive, got {filters}.");
        if (kernelSize.H <= 0 || kernelSize.W <= 0) throw new ArgumentOutOfRangeException(nameof(kernelSize), $"SeparableConv2D '{Name}': kernelSize must be positive, got {kernelSize}.");
        if (depthMultiplier <= 0) throw new ArgumentOutOfRangeException(nameof(depthMultiplier), $"SeparableConv2D '{Name}': depthMultiplier must be positive, got {depthMultiplier}.");
        Filters = filters;
        KernelSize = kernelSize;
        Strides = strides ?? (1, 1);
        if (Strides.H <= 0 || Strides.W <= 0) throw new ArgumentOutOfRangeException(nameof(strides), $"SeparableConv2D '{Name}': strides must be positive, got {Strides}.");
        Padding = padding.Resolve(Name);
        DepthMultiplier = depthMultiplier;
        Activation = activation.Resolve(Name);
        UseBias = useBias;
        DepthwiseInitializer = depthwiseInitializer ?? new GlorotUniform();
        PointwiseInitializer = pointwiseInitializer ?? new GlorotUniform();
        BiasInitializer = biasInitializer ?? new Constant(0f);
        _activation = new ActivationStage(Activation);
    }

    public int Filters { get; }
    public (int H, int W) KernelSize { get; }
    public (int H, int W) Strides { get; }
    public Padding Padding { get; }
    public int DepthMultiplier { get; }
    public ActivationKind Activation { get; }
    public bool UseBias { get; }
    public Initializer DepthwiseInitializer { get; }
    public Initializer PointwiseInitializer { get; }
    public Initializer BiasInitializer { get; }

    /// <summary>The (kh, kw, in, depthMultiplier) depthwise kernel.</summary>
    public Parameter DepthwiseKernel => _depthwise ?? throw new InvalidOperationException($"SeparableConv2D '{Name}' has no weights until it is built (called on an input).");

    /// <summary>The (1, 1, in·depthMultiplier, filters) pointwise kernel.</summary>
    public Parameter PointwiseKernel => _pointwise ?? throw new InvalidOperationException($"SeparableConv2D '{Name}' has no weights until it is built (called on an input).");
    public Parameter? Bias => _bias;

    internal override ActivationKind? OutputActivation => Activation;
    internal override Tensor? Logits => _activation.Logits;

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        var g = ConvGeometry.Create(1, input[0], input[1], input[2], KernelSize.H, KernelSize.W, Strides.H, Strides.W, Padding);
        if (g.OutH <= 0 || g.OutW <= 0)
            throw new ArgumentException($"SeparableConv2D '{Name}': a {KernelSize.H}×{KernelSize.W} kernel does not fit an input of (None, {string.Join(", ", input)}) with padding \"valid\". Use padding: \"same\" or a smaller kernel.");
        return [g.OutH, g.OutW, Filters];
    }

    protected override void Build(int[] input)
    {
        _depthwise = AddWeight("depthwise_kernel", [KernelSize.H, KernelSize.W, input[2], DepthMultiplier], DepthwiseInitializer);
        _pointwise = AddWeight("pointwise_kernel", [1, 1, input[2] * DepthMultiplier, Filters], PointwiseInitializer);
        if (UseBias) _bias = AddWeight("bias", [Filters], BiasInitializer);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        int cm = x.Dim(3) * DepthMultiplier;
        _g = ConvGeometry.Create(x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3), KernelSize.H, KernelSize.W, Strides.H, Strides.W, Padding);
        _pointG = ConvGeometry.Create(_g.Batch, _g.OutH, _g.OutW, cm, 1, 1, 1, 1, Padding.Valid);
        Tensor.Ensure(ref _mid, [_g.Batch, _g.OutH, _g.OutW, cm]);
        Tensor.Ensure(ref _y, [_g.Batch, _g.OutH, _g.OutW, Filters]);
        Backend.Current.DepthwiseConv2D(x, DepthwiseKernel.Value, null, _mid!, _g);
        Backend.Current.Conv2D(_mid!, PointwiseKernel.Value, _bias?.Value, _y!, _pointG, _activation.InEpilogue, _pointwiseScratch);
        _activation.Apply(_y!);
        return _y!;
    }

    public override void Backward(Tensor dy, bool needInputGradients) => Backprop(dy, new BackwardArgs(needInputGradients));

    internal override void Backprop(Tensor dy, in BackwardArgs args)
    {
        bool relu = Activation == ActivationKind.Relu && !args.FromLogits;
        var dz = relu ? dy : _activation.Backprop(_y!, dy, args.FromLogits);
        bool weights = Trainable && args.WeightGradients, needInputGradients = args.NeedInputGradients;
        InputGradient = null;
        if (!weights && !needInputGradients) return;
        Tensor.Ensure(ref _dMid, _mid!.Shape);
        Backend.Current.Conv2DBackward(_mid!, PointwiseKernel.Value, _y!, dz, relu, _dMid,
            weights ? PointwiseKernel.Grad : null, weights ? _bias?.Grad : null, _pointG, _pointwiseScratch);
        if (needInputGradients) Tensor.Ensure(ref _dx, _x!.Shape);
        Backend.Current.DepthwiseConv2DBackward(_x!, DepthwiseKernel.Value, _dMid!, needInputGradients ? _dx : null,
                weights ? DepthwiseKernel.Grad : null, null, _g, _depthwiseScratch);
        InputGradient = needInputGradients ? _dx : null;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["depth_multiplier"] = DepthMultiplier;
        c["filters"] = Filters;
        c["kernel_size"] = new[] { KernelSize.H, KernelSize.W };
        c["strides"] = new[] { Strides.H, Strides.W };
        c["padding"] = Padding.ToString().ToLowerInvariant();
        c["data_format"] = "channels_last";
        c["dilation_rate"] = new[] { 1, 1 };
        c["activation"] = ActivationNames.Name(Activation);
        c["use_bias"] = UseBias;
        c["depthwise_initializer"] = DepthwiseInitializer.ToKerasConfig();
        c["pointwise_initializer"] = PointwiseInitializer.ToKerasConfig();
        c["bias_initializer"] = BiasInitializer.ToKerasConfig();
        foreach (var k in (string[])["depthwise_regularizer", "pointwise_regularizer", "bias_regularizer", "activity_regularizer",
                     "depthwise_constraint", "pointwise_constraint", "bias_constraint"])
            c[k] = null;
        return c;
    }

    /// <summary>Rebuilds a SeparableConv2D from its Keras config; a dilation other than 1 is refused.</summary>
    public static SeparableConv2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        c.RequireValue("dilation_rate", 1);
        return new SeparableConv2D(c.Int("filters", 0), c.Pair("kernel_size", (0, 0)), c.Pair("strides", (1, 1)), c.String("padding", "valid")!,
            c.Int("depth_multiplier", 1), c.String("activation", null), c.Bool("use_bias", true),
            c.Initializer("depthwise_initializer", "glorot_uniform"), c.Initializer("pointwise_initializer", "glorot_uniform"),
            c.Initializer("bias_initializer", "zeros"), name: c.Name);
    }
}
