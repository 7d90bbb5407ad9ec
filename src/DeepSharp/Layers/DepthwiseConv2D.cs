using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Initializers;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Depthwise 2-D convolution (Keras 3's DepthwiseConv2D, keras/src/layers/convolutional/base_depthwise_conv.py): each
/// input channel is convolved with its own <c>depthMultiplier</c> kernels, giving C·depthMultiplier output channels
/// (channel c·M + m from input channel c). Kernel (kh, kw, in, depthMultiplier) named "kernel", bias (in·depthMultiplier),
/// glorot_uniform and zeros by default, as Keras stores them.
/// </summary>
/// <example><code>
/// new DepthwiseConv2D((3, 3), padding: "same", activation: "relu")
/// new DepthwiseConv2D(5, strides: 2, depthMultiplier: 2)
/// </code></example>
public sealed class DepthwiseConv2D : SingleInputLayer, ILayerFromConfig<DepthwiseConv2D>
{
    private readonly ActivationStage _activation;
    private Parameter? _kernel, _bias;
    private Tensor? _x, _y, _dx;
    private readonly BackendScratch _scratch = new();
    private ConvGeometry _g;

    /// <param name="kernelSize">Window size: an int for a square window, or (height, width).</param>
    /// <param name="strides">Step of the window; default 1.</param>
    /// <param name="padding">"valid" (default) or "same".</param>
    /// <param name="depthMultiplier">Output channels per input channel; default 1.</param>
    /// <param name="activation">A Keras name or one of <see cref="Activations"/>; none by default.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="depthwiseInitializer">The kernel's initializer; glorot_uniform by default.</param>
    /// <param name="biasInitializer">The bias' initializer; zeros by default.</param>
    /// <param name="inputShape">The per-sample input shape, for the first layer of a Sequential.</param>
    /// <param name="name">The layer's name; generated (depthwise_conv2d, ...) when null.</param>
    public DepthwiseConv2D(IntPair kernelSize, IntPair? strides = null, PaddingOption padding = default, int depthMultiplier = 1,
        ActivationOption activation = default, bool useBias = true, Initializer? depthwiseInitializer = null,
        Initializer? biasInitializer = null, (int H, int W, int C)? inputShape = null, string? name = null)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        if (kernelSize.H <= 0 || kernelSize.W <= 0) throw new ArgumentOutOfRangeException(nameof(kernelSize), $"DepthwiseConv2D '{Name}': kernelSize must be positive, got {kernelSize}.");
        if (depthMultiplier <= 0) throw new ArgumentOutOfRangeException(nameof(depthMultiplier), $"DepthwiseConv2D '{Name}': depthMultiplier must be positive, got {depthMultiplier}.");
        KernelSize = kernelSize;
        Strides = strides ?? (1, 1);
        if (Strides.H <= 0 || Strides.W <= 0) throw new ArgumentOutOfRangeException(nameof(strides), $"DepthwiseConv2D '{Name}': strides must be positive, got {Strides}.");
        Padding = padding.Resolve(Name);
        DepthMultiplier = depthMultiplier;
        Activation = activation.Resolve(Name);
        UseBias = useBias;
        DepthwiseInitializer = depthwiseInitializer ?? new GlorotUniform();
        BiasInitializer = biasInitializer ?? new Constant(0f);
        _activation = new ActivationStage(Activation);
    }

    public (int H, int W) KernelSize { get; }
    public (int H, int W) Strides { get; }
    public Padding Padding { get; }
    public int DepthMultiplier { get; }
    public ActivationKind Activation { get; }
    public bool UseBias { get; }
    public Initializer DepthwiseInitializer { get; }
    public Initializer BiasInitializer { get; }

    /// <summary>The (kh, kw, in, depthMultiplier) kernel.</summary>
    public Parameter Kernel => _kernel ?? throw new InvalidOperationException($"DepthwiseConv2D '{Name}' has no weights until it is built (called on an input).");
    public Parameter? Bias => _bias;

    internal override ActivationKind? OutputActivation => Activation;
    internal override Tensor? Logits => _activation.Logits;

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        var g = ConvGeometry.Create(1, input[0], input[1], input[2], KernelSize.H, KernelSize.W, Strides.H, Strides.W, Padding);
        if (g.OutH <= 0 || g.OutW <= 0)
            throw new ArgumentException($"DepthwiseConv2D '{Name}': a {KernelSize.H}×{KernelSize.W} kernel does not fit an input of (None, {string.Join(", ", input)}) with padding \"valid\". Use padding: \"same\" or a smaller kernel.");
        return [g.OutH, g.OutW, input[2] * DepthMultiplier];
    }

    protected override void Build(int[] input)
    {
        _kernel = AddWeight("kernel", [KernelSize.H, KernelSize.W, input[2], DepthMultiplier], DepthwiseInitializer);
        if (UseBias) _bias = AddWeight("bias", [input[2] * DepthMultiplier], BiasInitializer);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        _g = ConvGeometry.Create(x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3), KernelSize.H, KernelSize.W, Strides.H, Strides.W, Padding);
        Tensor.Ensure(ref _y, [_g.Batch, _g.OutH, _g.OutW, x.Dim(3) * DepthMultiplier]);
        Backend.Current.DepthwiseConv2D(x, Kernel.Value, _bias?.Value, _y!, _g);
        if (_activation.InEpilogue) Backend.Current.Activation(ActivationKind.Relu, _y!, _y!);
        _activation.Apply(_y!);
        return _y!;
    }

    public override void Backward(Tensor dy, bool needInputGradients) => Backprop(dy, new BackwardArgs(needInputGradients));

    internal override void Backprop(Tensor dy, in BackwardArgs args)
    {
        var dz = _activation.Backprop(_y!, dy, args.FromLogits);
        bool weights = Trainable && args.WeightGradients, need = args.NeedInputGradients;
        if (need) Tensor.Ensure(ref _dx, _x!.Shape);
        Backend.Current.DepthwiseConv2DBackward(_x!, Kernel.Value, dz, need ? _dx : null,
            weights ? Kernel.Grad : null, weights ? _bias?.Grad : null, _g, _scratch);
        InputGradient = need ? _dx : null;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["depth_multiplier"] = DepthMultiplier;
        c["kernel_size"] = new[] { KernelSize.H, KernelSize.W };
        c["strides"] = new[] { Strides.H, Strides.W };
        c["padding"] = Padding.ToString().ToLowerInvariant();
        c["data_format"] = "channels_last";
        c["dilation_rate"] = new[] { 1, 1 };
        c["activation"] = ActivationNames.Name(Activation);
        c["use_bias"] = UseBias;
        c["depthwise_initializer"] = DepthwiseInitializer.ToKerasConfig();
        c["bias_initializer"] = BiasInitializer.ToKerasConfig();
        foreach (var k in (string[])["depthwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint", "bias_constraint"])
            c[k] = null;
        return c;
    }

    /// <summary>Rebuilds a DepthwiseConv2D from its Keras config; a dilation other than 1 is refused.</summary>
    public static DepthwiseConv2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        c.RequireValue("dilation_rate", 1);
        return new DepthwiseConv2D(c.Pair("kernel_size", (0, 0)), c.Pair("strides", (1, 1)), c.String("padding", "valid")!,
            c.Int("depth_multiplier", 1), c.String("activation", null), c.Bool("use_bias", true),
            c.Initializer("depthwise_initializer", "glorot_uniform"), c.Initializer("bias_initializer", "zeros"), name: c.Name);
    }
}
