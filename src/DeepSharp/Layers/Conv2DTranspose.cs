using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Initializers;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Transposed 2-D convolution (Keras 3's Conv2DTranspose, keras/src/layers/convolutional/base_conv_transpose.py): the
/// adjoint of a convolution, for upsampling decoders. Kernel (kh, kw, filters, in) as Keras stores it (output channels
/// before input channels), bias (filters). Output size per axis: "valid" (in - 1)·s + max(k, s), "same" in·s; with
/// <c>outputPadding</c> op: "valid" (in - 1)·s + k + op, "same" (in - 1)·s + k % 2 + op.
/// </summary>
/// <example><code>
/// new Conv2DTranspose(32, (3, 3), strides: 2, padding: "same", activation: "relu")   // doubles height and width
/// </code></example>
public sealed class Conv2DTranspose : SingleInputLayer, ILayerFromConfig<Conv2DTranspose>
{
    private readonly ActivationStage _activation;
    private Parameter? _kernel, _bias;
    private Tensor? _x, _y, _dx;
    private readonly BackendScratch _scratch = new();
    private ConvGeometry _g;

    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Window size: an int for a square window, or (height, width).</param>
    /// <param name="strides">The upsampling step; default 1.</param>
    /// <param name="padding">"valid" (default) or "same".</param>
    /// <param name="outputPadding">Extra rows/columns at the bottom/right, each smaller than its stride; null (default) lets the padding decide.</param>
    /// <param name="activation">A Keras name or one of <see cref="Activations"/>; none by default.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="kernelInitializer">glorot_uniform by default.</param>
    /// <param name="biasInitializer">zeros by default.</param>
    /// <param name="inputShape">The per-sample input shape, for the first layer of a Sequential.</param>
    /// <param name="name">The layer's name; generated (conv2d_transpose, ...) when null.</param>
    public Conv2DTranspose(int filters, IntPair kernelSize, IntPair? strides = null, PaddingOption padding = default, IntPair? outputPadding = null,
        ActivationOption activation = default, bool useBias = true, Initializer? kernelInitializer = null,
        Initializer? biasInitializer = null, (int H, int W, int C)? inputShape = null, string? name = null)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        if (filters <= 0) throw new ArgumentOutOfRangeException(nameof(filters), $"Conv2DTranspose '{Name}': filters must be positive, got {filters}.");
        if (kernelSize.H <= 0 || kernelSize.W <= 0) throw new ArgumentOutOfRangeException(nameof(kernelSize), $"Conv2DTranspose '{Name}': kernelSize must be positive, got {kernelSize}.");
        Filters = filters;
        KernelSize = kernelSize;
        Strides = strides ?? (1, 1);
        if (Strides.H <= 0 || Strides.W <= 0) throw new ArgumentOutOfRangeException(nameof(strides), $"Conv2DTranspose '{Name}': strides must be positive, got {Strides}.");
        if (outputPadding is { } op && (op.H < 0 || op.W < 0 || op.H >= Strides.H || op.W >= Strides.W))
            throw new ArgumentOutOfRangeException(nameof(outputPadding), $"Conv2DTranspose '{Name}': outputPadding {op} must be ≥ 0 and smaller than the strides {Strides}.");
        OutputPadding = outputPadding is { } p ? (p.H, p.W) : null;
        Padding = padding.Resolve(Name);
        Activation = activation.Resolve(Name);
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? new GlorotUniform();
        BiasInitializer = biasInitializer ?? new Constant(0f);
        _activation = new ActivationStage(Activation);
    }

    public int Filters { get; }
    public (int H, int W) KernelSize { get; }
    public (int H, int W) Strides { get; }
    public Padding Padding { get; }
    public (int H, int W)? OutputPadding { get; }
    public ActivationKind Activation { get; }
    public bool UseBias { get; }
    public Initializer KernelInitializer { get; }
    public Initializer BiasInitializer { get; }

    /// <summary>The (kh, kw, filters, in) kernel.</summary>
    public Parameter Kernel => _kernel ?? throw new InvalidOperationException($"Conv2DTranspose '{Name}' has no weights until it is built (called on an input).");
    public Parameter? Bias => _bias;

    internal override ActivationKind? OutputActivation => Activation;
    internal override Tensor? Logits => _activation.Logits;

    private ConvGeometry Geometry(int batch, int h, int w) =>
        ConvGeometry.ForTranspose(batch, h, w, Filters, KernelSize.H, KernelSize.W, Strides.H, Strides.W, Padding, OutputPadding);

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        var g = Geometry(1, input[0], input[1]);
        if (g.InH <= 0 || g.InW <= 0)
            throw new ArgumentException($"Conv2DTranspose '{Name}': an input of (None, {string.Join(", ", input)}) gives an empty output with kernel {KernelSize}, strides {Strides} and padding \"{Padding.ToString().ToLowerInvariant()}\".");
        return [g.InH, g.InW, Filters];
    }

    protected override void Build(int[] input)
    {
        _kernel = AddWeight("kernel", [KernelSize.H, KernelSize.W, Filters, input[2]], KernelInitializer);
        if (UseBias) _bias = AddWeight("bias", [Filters], BiasInitializer);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        _g = Geometry(x.Dim(0), x.Dim(1), x.Dim(2));
        Tensor.Ensure(ref _y, [_g.Batch, _g.InH, _g.InW, Filters]);
        Backend.Current.Conv2DTranspose(x, Kernel.Value, _bias?.Value, _y!, _g, _scratch);
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
        Backend.Current.Conv2DTransposeBackward(_x!, Kernel.Value, dz, need ? _dx : null,
            weights ? Kernel.Grad : null, weights ? _bias?.Grad : null, _g, _scratch);
        InputGradient = need ? _dx : null;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["filters"] = Filters;
        c["kernel_size"] = new[] { KernelSize.H, KernelSize.W };
        c["strides"] = new[] { Strides.H, Strides.W };
        c["padding"] = Padding.ToString().ToLowerInvariant();
        c["output_padding"] = OutputPadding is { } op ? new[] { op.H, op.W } : null;
        c["data_format"] = "channels_last";
        c["dilation_rate"] = new[] { 1, 1 };
        c["activation"] = ActivationNames.Name(Activation);
        c["use_bias"] = UseBias;
        c["kernel_initializer"] = KernelInitializer.ToKerasConfig();
        c["bias_initializer"] = BiasInitializer.ToKerasConfig();
        foreach (var k in (string[])["kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"])
            c[k] = null;
        return c;
    }

    /// <summary>Rebuilds a Conv2DTranspose from its Keras config; a dilation other than 1 is refused.</summary>
    public static Conv2DTranspose FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        c.RequireValue("dilation_rate", 1);
        IntPair? op = c.Has("output_padding") ? c.Pair("output_padding", (0, 0)) : null;
        return new Conv2DTranspose(c.Int("filters", 0), c.Pair("kernel_size", (0, 0)), c.Pair("strides", (1, 1)), c.String("padding", "valid")!,
            op, c.String("activation", null), c.Bool("use_bias", true),
            c.Initializer("kernel_initializer", "glorot_uniform"), c.Initializer("bias_initializer", "zeros"), name: c.Name);
    }
}
