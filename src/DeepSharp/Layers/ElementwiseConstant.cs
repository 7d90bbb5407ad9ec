using DeepSharp.Backends;
using DeepSharp.Initializers;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Adds, subtracts or multiplies a fixed constant that broadcasts against each sample: a per-channel (C) constant,
/// a per-pixel (H, W, C) image, or a scalar (shape (1)). The constant is a non-trainable weight named "constant",
/// so it is saved with the model. ONNX import uses it for Add/Sub/Mul with an initializer (e.g. a mean image).
/// </summary>
/// <example><code>
/// // Keras' "caffe" preprocessing after RGB→BGR: subtract the ImageNet channel means.
/// var x = new ElementwiseConstant("subtract", Tensor.FromArray([103.939f, 116.779f, 123.68f], 3)).Call(inputs);
/// </code></example>
public sealed class ElementwiseConstant : SingleInputLayer, ILayerFromConfig<ElementwiseConstant>
{
    /// <summary>Rebuilds the layer from its config; the constant itself comes back with the weights.</summary>
    public static ElementwiseConstant FromConfig(LayerConfig c) =>
        new(c.String("operation", "add")!, LayerAxes.ReadInts(c, "constant_shape"), c.Name);

    private readonly float[] _initial;
    private Parameter? _constant;
    private Tensor? _y, _dx;
    private float[] _expanded = [];
    private int[] _sampleShape = [];

    /// <summary><paramref name="operation"/>: "add" (x + c), "subtract" (x - c), "reverse_subtract" (c - x) or "multiply" (x ⊙ c).</summary>
    public ElementwiseConstant(string operation, Tensor constant, string? name = null) : this(operation, constant.ShapeArray.ToArray(), name)
    {
        constant.Span.CopyTo(_initial);
    }

    /// <summary>A layer whose constant of <paramref name="constantShape"/> is zero until weights are loaded (used when loading a saved model).</summary>
    public ElementwiseConstant(string operation, int[] constantShape, string? name = null) : base(name)
    {
        Operation = operation.ToLowerInvariant();
        Op = Operation switch
        {
            "add" => ConstantOp.Add,
            "subtract" => ConstantOp.Subtract,
            "reverse_subtract" => ConstantOp.ReverseSubtract,
            "multiply" => ConstantOp.Multiply,
            _ => throw new ArgumentException($"ElementwiseConstant '{Name}': unknown operation '{operation}'. Expected add, subtract, reverse_subtract or multiply."),
        };
        if (constantShape.Length == 0 || constantShape.Any(d => d <= 0))
            throw new ArgumentException($"ElementwiseConstant '{Name}': the constant's shape {Tensor.FormatShape(constantShape)} is not valid; use (1) for a scalar.");
        ConstantShape = constantShape;
        _initial = new float[Tensor.Product(constantShape)];
    }

    /// <summary>What the layer does with its constant: "add", "subtract", "reverse_subtract" or "multiply" (as saved in its config).</summary>
    public string Operation { get; }

    /// <summary>The operation for the op that computes it.</summary>
    internal ConstantOp Op { get; }

    /// <summary>The constant's shape, broadcast against one sample (aligned on the right).</summary>
    public int[] ConstantShape { get; }

    /// <summary>The constant (a non-trainable weight).</summary>
    public Parameter Constant => _constant ?? throw new InvalidOperationException($"ElementwiseConstant '{Name}' has no weights until it is built (called on an input).");

    protected override int[] OutputShape(int[] input)
    {
        if (!BroadcastOps.Broadcasts(ConstantShape, input))
            throw new ArgumentException($"ElementwiseConstant '{Name}': a constant of shape {Tensor.FormatShape(ConstantShape)} does not broadcast against inputs of shape (None, {string.Join(", ", input)}). Each constant axis must be 1 or the input's size (aligned on the right).");
        return input;
    }

    protected override void Build(int[] input)
    {
        _constant = AddWeight("constant", ConstantShape, new Constant(0f), trainable: false);
        _initial.CopyTo(_constant.Value.Span);
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        int per = x.Size / Math.Max(x.Dim(0), 1);
        if (_expanded.Length != per) { _expanded = new float[per]; _sampleShape = x.ShapeArray[1..]; }
        BroadcastOps.Expand(Constant.Value.Span, ConstantShape, _sampleShape, _expanded);
        Tensor.Ensure(ref _y, x.Shape);
        Backend.Current.BroadcastConstant(Op, x, _expanded, _y!);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, dy.Shape);
        Backend.Current.BroadcastConstantBackward(Op, dy, _expanded, _dx!);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["operation"] = Operation;
        c["constant_shape"] = ConstantShape;
        return c;
    }
}
