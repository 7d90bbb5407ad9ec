using DeepSharp.Backends;
using DeepSharp.Initializers;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// A densely connected layer: output = activation(input · kernel + bias), kernel (in, units),
/// glorot_uniform kernel and zero bias by default. Inputs of higher rank are transformed on their last axis.
/// </summary>
/// <example><code>
/// new Dense(64, activation: "relu")
/// new Dense(10, activation: "softmax")
/// new Dense(64, activation: Activations.Relu, kernelInitializer: new HeNormal())
/// </code></example>
public sealed class Dense : SingleInputLayer, ILayerFromConfig<Dense>
{
    private readonly ActivationStage _activation;
    private readonly BackendScratch _scratch = new();
    private Parameter? _kernel, _bias;
    private Tensor? _x, _x2, _y, _y2, _dx, _dx2, _dz2;

    /// <param name="units">Number of outputs.</param>
    /// <param name="activation">A Keras name or one of <see cref="Activations"/>; none by default.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="kernelInitializer">A Keras name or an <see cref="Initializer"/>; glorot_uniform by default.</param>
    /// <param name="biasInitializer">A Keras name or an <see cref="Initializer"/>; zeros by default.</param>
    /// <param name="inputDim">The number of input features, for the first layer of a Sequential.</param>
    /// <param name="name">The layer's name; generated (dense, dense_1, ...) when null.</param>
    /// <param name="kernelRegularizer">A penalty on the kernel added to the training loss (<see cref="Regularizers.L2"/>, "l2", ...); none by default.</param>
    /// <param name="biasRegularizer">A penalty on the bias; none by default.</param>
    public Dense(int units, ActivationOption activation = default, bool useBias = true, Initializer? kernelInitializer = null,
        Initializer? biasInitializer = null, int? inputDim = null, string? name = null,
        Regularizers.Regularizer? kernelRegularizer = null, Regularizers.Regularizer? biasRegularizer = null)
        : base(name, inputDim is { } d ? [d] : null)
    {
        KernelRegularizer = kernelRegularizer;
        BiasRegularizer = biasRegularizer;
        if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), $"Dense '{Name}': units must be positive, got {units}.");
        Units = units;
        Activation = activation.Resolve(Name);
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? new GlorotUniform();
        BiasInitializer = biasInitializer ?? new Constant(0f);
        _activation = new ActivationStage(Activation);
    }

    public int Units { get; }
    public ActivationKind Activation { get; }
    public bool UseBias { get; }
    public Initializer KernelInitializer { get; }
    public Initializer BiasInitializer { get; }

    /// <summary>The kernel's penalty (Keras: kernel_regularizer), or null.</summary>
    public Regularizers.Regularizer? KernelRegularizer { get; }

    /// <summary>The bias's penalty (Keras: bias_regularizer), or null.</summary>
    public Regularizers.Regularizer? BiasRegularizer { get; }

    /// <summary>The (in, units) kernel.</summary>
    public Parameter Kernel => _kernel ?? throw new InvalidOperationException($"Dense '{Name}' has no weights until it is built (called on an input).");
    public Parameter? Bias => _bias;

    internal override ActivationKind? OutputActivation => Activation;
    internal override Tensor? Logits => _activation.Logits;

    protected override int[] OutputShape(int[] input)
    {
        if (_kernel is not null && input[^1] != _kernel.Value.Dim(0))
            throw new ArgumentException($"Dense '{Name}' was built for inputs of size {_kernel.Value.Dim(0)} but got (None, {string.Join(", ", input)}).");
        var s = input.ToArray();
        s[^1] = Units;
        return s;
    }

    protected override void Build(int[] input)
    {
        _kernel = AddWeight("kernel", [input[^1], Units], KernelInitializer);
        _kernel.Regularizer = KernelRegularizer;
        if (UseBias) (_bias = AddWeight("bias", [Units], BiasInitializer)).Regularizer = BiasRegularizer;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        int inF = Kernel.Value.Dim(0);
        if (x.Dim(-1) != inF)
            throw new ArgumentException($"Dense '{Name}' expects inputs whose last axis is {inF} but got shape {Tensor.FormatShape(x.Shape)}.");
        int rows = x.Size / inF;
        _x = x;
        Tensor.View(ref _x2, x, [rows, inF]);
        Span<int> outShape = stackalloc int[x.Rank];
        x.Shape.CopyTo(outShape);
        outShape[^1] = Units;
        Tensor.Ensure(ref _y, outShape);
        Tensor.View(ref _y2, _y, [rows, Units]);
        Backend.Current.Dense(_x2, Kernel.Value, _bias?.Value, _y2, _activation.InEpilogue);
        _activation.Apply(_y);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients) => Backprop(dy, new BackwardArgs(needInputGradients));

    internal override void Backprop(Tensor dy, in BackwardArgs args)
    {
        bool relu = Activation == ActivationKind.Relu && !args.FromLogits;
        bool weights = Trainable && args.WeightGradients;
        bool need = args.NeedInputGradients;
        var dz = relu ? dy : _activation.Backprop(_y!, dy, args.FromLogits);
        int rows = _x2!.Dim(0);
        Tensor.View(ref _dz2, dz, [rows, Units]);
        if (need) Tensor.Ensure(ref _dx, _x!.Shape);
        Backend.Current.DenseBackward(_x2, Kernel.Value, _y2!, _dz2!, relu, need ? Tensor.View(ref _dx2, _dx!, [rows, _x2.Dim(1)]) : null,
            weights ? Kernel.Grad : null, weights ? _bias?.Grad : null, _scratch);
        InputGradient = need ? _dx : null;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        c["activation"] = ActivationNames.Name(Activation);
        c["use_bias"] = UseBias;
        c["kernel_initializer"] = KernelInitializer.ToKerasConfig();
        c["bias_initializer"] = BiasInitializer.ToKerasConfig();
        Conv2D.AddNullRegularizers(c);
        c["kernel_regularizer"] = KernelRegularizer?.ToKerasConfig();
        c["bias_regularizer"] = BiasRegularizer?.ToKerasConfig();
        return c;
    }

    /// <summary>Rebuilds a Dense layer from its Keras config.</summary>
    public static Dense FromConfig(LayerConfig c) =>
        new(c.Int("units", 0), c.String("activation", null), c.Bool("use_bias", true),
            c.Initializer("kernel_initializer", "glorot_uniform"), c.Initializer("bias_initializer", "zeros"), name: c.Name,
            kernelRegularizer: Regularizers.Regularizer.FromKerasConfig(c.Json["kernel_regularizer"], c.Name ?? "dense", "kernel_regularizer"),
            biasRegularizer: Regularizers.Regularizer.FromKerasConfig(c.Json["bias_regularizer"], c.Name ?? "dense", "bias_regularizer"));
}
