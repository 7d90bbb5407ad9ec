using DeepSharp.Backends;
using DeepSharp.Initializers;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// 2-D convolution over (height, width, channels) inputs: <c>filters</c> kernels of
/// <c>kernelSize</c>, kernel stored as (kh, kw, in, out), glorot_uniform kernel and zero bias by default.
/// </summary>
/// <example><code>
/// new Conv2D(32, (3, 3), activation: "relu", inputShape: (28, 28, 1))
/// new Conv2D(64, (3, 3), strides: (2, 2), padding: "same")
/// new Conv2D(64, 3, strides: 2, padding: Padding.Same, activation: Activations.Relu, kernelInitializer: new HeNormal())
/// </code></example>
public sealed class Conv2D : SingleInputLayer, ILayerFromConfig<Conv2D>
{
    private readonly ActivationStage _activation;
    private Parameter? _kernel, _bias;
    private Tensor? _x, _y, _dx;
    private readonly BackendScratch _scratch = new();
    private ConvGeometry _g;

    /// <param name="filters">Number of kernels (output channels).</param>
    /// <param name="kernelSize">Window size: an int for a square window, or (height, width).</param>
    /// <param name="strides">Step of the window, an int or (height, width); default 1.</param>
    /// <param name="padding">"valid" (default) or "same", or <see cref="DeepSharp.Padding"/>.</param>
    /// <param name="activation">A Keras name or one of <see cref="Activations"/>; none by default.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="kernelInitializer">A Keras name or an <see cref="Initializer"/>; glorot_uniform by default.</param>
    /// <param name="biasInitializer">A Keras name or an <see cref="Initializer"/>; zeros by default.</param>
    /// <param name="inputShape">The per-sample input shape, for the first layer of a Sequential.</param>
    /// <param name="name">The layer's name; generated (conv2d, conv2d_1, ...) when null.</param>
    /// <param name="kernelRegularizer">A penalty on the kernel added to the training loss (<see cref="Regularizers.L2"/>, "l2", ...); none by default.</param>
    /// <param name="biasRegularizer">A penalty on the bias; none by default.</param>
    public Conv2D(int filters, IntPair kernelSize, IntPair? strides = null, PaddingOption padding = default,
        ActivationOption activation = default, bool useBias = true, Initializer? kernelInitializer = null,
        Initializer? biasInitializer = null, (int H, int W, int C)? inputShape = null, string? name = null,
        Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        KernelRegularizer = kernelRegularizer;
        BiasRegularizer = biasRegularizer;
        if (filters <= 0) throw new ArgumentOutOfRangeException(nameof(filters), $"Conv2D '{Name}': filters must be positive, got {filters}.");
        if (kernelSize.H <= 0 || kernelSize.W <= 0) throw new ArgumentOutOfRangeException(nameof(kernelSize), $"Conv2D '{Name}': kernelSize must be positive, got {kernelSize}.");
        Filters = filters;
        KernelSize = kernelSize;
        Strides = strides ?? (1, 1);
        if (Strides.H <= 0 || Strides.W <= 0) throw new ArgumentOutOfRangeException(nameof(strides), $"Conv2D '{Name}': strides must be positive, got {Strides}.");
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
    public ActivationKind Activation { get; }
    public bool UseBias { get; }
    public Initializer KernelInitializer { get; }
    public Initializer BiasInitializer { get; }

    /// <summary>The kernel's penalty (Keras: kernel_regularizer), or null.</summary>
    public Regularizers.Regularizer? KernelRegularizer { get; }

    /// <summary>The bias's penalty (Keras: bias_regularizer), or null.</summary>
    public Regularizers.Regularizer? BiasRegularizer { get; }

    /// <summary>The (kh, kw, in, out) kernel.</summary>
    public Parameter Kernel => _kernel ?? throw new InvalidOperationException($"Conv2D '{Name}' has no weights until it is built (called on an input).");
    public Parameter? Bias => _bias;

    internal override ActivationKind? OutputActivation => Activation;
    internal override Tensor? Logits => _activation.Logits;

    protected override int[] OutputShape(int[] input)
    {
        ExpectRank(input, 3, "images");
        var g = ConvGeometry.Create(1, input[0], input[1], input[2], KernelSize.H, KernelSize.W, Strides.H, Strides.W, Padding);
        if (g.OutH <= 0 || g.OutW <= 0)
            throw new ArgumentException($"Conv2D '{Name}': a {KernelSize.H}×{KernelSize.W} kernel does not fit an input of (None, {string.Join(", ", input)}) with padding \"valid\". Use padding: \"same\", a smaller kernel, or remove a pooling layer before it.");
        return [g.OutH, g.OutW, Filters];
    }

    protected override void Build(int[] input)
    {
        _kernel = AddWeight("kernel", [KernelSize.H, KernelSize.W, input[2], Filters], KernelInitializer);
        _kernel.Regularizer = KernelRegularizer;
        if (UseBias) (_bias = AddWeight("bias", [Filters], BiasInitializer)).Regularizer = BiasRegularizer;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        _x = x;
        _g = ConvGeometry.Create(x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3), KernelSize.H, KernelSize.W, Strides.H, Strides.W, Padding);
        Tensor.Ensure(ref _y, [_g.Batch, _g.OutH, _g.OutW, Filters]);
        Backend.Current.Conv2D(x, Kernel.Value, _bias?.Value, _y, _g, _activation.InEpilogue, _scratch);
        _activation.Apply(_y);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients) => Backprop(dy, new BackwardArgs(needInputGradients));

    internal override void Backprop(Tensor dy, in BackwardArgs args)
    {
        // ReLU's mask (and the bias sums beside it) is the backend's; other activations, and a softmax or sigmoid
        // fused with the loss (args.FromLogits), hand it dLoss/dPre-activation.
        bool relu = Activation == ActivationKind.Relu && !args.FromLogits;
        bool weights = Trainable && args.WeightGradients;
        var dz = relu ? dy : _activation.Backprop(_y!, dy, args.FromLogits);
        bool need = args.NeedInputGradients;
        if (need) Tensor.Ensure(ref _dx, _x!.Shape);
        Backend.Current.Conv2DBackward(_x!, Kernel.Value, _y!, dz, relu, need ? _dx : null,
            weights ? Kernel.Grad : null, weights ? _bias?.Grad : null, _g, _scratch);
        InputGradient = need ? _dx : null;
    }

    /// <summary>
    /// The named fusion <see cref="FusionPattern.ConvThenMaxPool"/>, which the graph executor asks for when this layer's
    /// only consumer is <paramref name="pool"/> and no input gradient is needed: the weights' gradients straight from the
    /// pooling's unscattered gradient <paramref name="dy"/> (the dense gradient between the two is never written).
    /// False when the backend does not take it; the executor then runs both backward passes.
    /// </summary>
    internal bool TryBackwardThroughMaxPool(MaxPooling2D pool, Tensor dy)
    {
        bool relu = Activation == ActivationKind.Relu;
        if (!Trainable || !(relu || Activation == ActivationKind.Linear) || pool.UnscatteredGradient(dy) is not { } pooled
            || !Backend.Current.TryConv2DBackwardThroughMaxPool(_x!, Kernel.Value, pooled, relu, Kernel.Grad, _bias?.Grad, _g))
            return false;
        InputGradient = null;
        return true;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["filters"] = Filters;
        c["kernel_size"] = new[] { KernelSize.H, KernelSize.W };
        c["strides"] = new[] { Strides.H, Strides.W };
        c["padding"] = Padding.ToString().ToLowerInvariant();
        c["activation"] = ActivationNames.Name(Activation);
        c["use_bias"] = UseBias;
        c["data_format"] = "channels_last";
        c["dilation_rate"] = new[] { 1, 1 };
        c["groups"] = 1;
        c["kernel_initializer"] = KernelInitializer.ToKerasConfig();
        c["bias_initializer"] = BiasInitializer.ToKerasConfig();
        AddNullRegularizers(c);
        c["kernel_regularizer"] = KernelRegularizer?.ToKerasConfig();
        c["bias_regularizer"] = BiasRegularizer?.ToKerasConfig();
        return c;
    }

    /// <summary>Rebuilds a Conv2D from its Keras config; dilation and groups other than 1 are refused.</summary>
    public static Conv2D FromConfig(LayerConfig c)
    {
        c.RequireChannelsLast();
        c.RequireValue("dilation_rate", 1);
        c.RequireValue("groups", 1);
        return new Conv2D(c.Int("filters", 0), c.Pair("kernel_size", (0, 0)), c.Pair("strides", (1, 1)),
            c.String("padding", "valid")!, c.String("activation", null), c.Bool("use_bias", true),
            c.Initializer("kernel_initializer", "glorot_uniform"), c.Initializer("bias_initializer", "zeros"), name: c.Name,
            kernelRegularizer: Regularizers.Regularizer.FromKerasConfig(c.Json["kernel_regularizer"], c.Name ?? "conv2d", "kernel_regularizer"),
            biasRegularizer: Regularizers.Regularizer.FromKerasConfig(c.Json["bias_regularizer"], c.Name ?? "conv2d", "bias_regularizer"));
    }

    /// <summary>Keras writes these keys for Conv2D and Dense (the regularizers are then set by the layer when it has them).</summary>
    internal static void AddNullRegularizers(Dictionary<string, object?> c)
    {
        foreach (var k in (string[])["kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"])
            c[k] = null;
    }
}
