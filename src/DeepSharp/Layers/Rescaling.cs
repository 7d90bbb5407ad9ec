using System.Text.Json.Nodes;
using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Multiplies its input by <c>scale</c> and adds <c>offset</c> (Keras 3: <c>layers.Rescaling</c>,
/// <c>keras/src/layers/preprocessing/rescaling.py</c>). Put first in a model it lets the model take raw 0–255 pixels, so
/// the preprocessing travels with the saved model. Each of scale and offset is one number or one per channel (the last
/// axis), as Keras broadcasts an array against channels-last inputs: ImageNet's per-channel normalization is one layer.
/// </summary>
/// <example><code>
/// new Sequential(new Rescaling(1.0 / 255, inputShape: (150, 150, 3)), convBase, new Flatten(), new Dense(1, activation: "sigmoid"));
/// // (x/255 - mean) / std per channel, as torchvision's ImageNet models expect
/// new Rescaling(scale: [1 / (0.229 * 255), 1 / (0.224 * 255), 1 / (0.225 * 255)], offset: [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225]);
/// </code></example>
public sealed class Rescaling : SingleInputLayer, ILayerFromConfig<Rescaling>
{
    private readonly float[] _scales, _offsets;
    private float[] _scaleExpanded = [], _offsetExpanded = [];
    private Tensor? _y, _dx;

    public Rescaling(double scale, double offset = 0, (int H, int W, int C)? inputShape = null, string? name = null)
        : this([scale], [offset], inputShape, name) { }

    /// <summary>Per-channel scales and offsets (each one number, or one per channel of the input's last axis).</summary>
    /// <param name="scale">The factors: one, or one per channel.</param>
    /// <param name="offset">The offsets added after scaling: one, or one per channel; none (0) when null.</param>
    /// <param name="inputShape">The input's (h, w, c) when the layer comes first in a Sequential model.</param>
    /// <param name="name">The layer's name; generated (rescaling, rescaling_1, ...) when null.</param>
    public Rescaling(double[] scale, double[]? offset = null, (int H, int W, int C)? inputShape = null, string? name = null)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        _scales = Check(scale, nameof(scale));
        _offsets = Check(offset ?? [0], nameof(offset));
    }

    /// <summary>The scale when it is one number; with per-channel scales, the first channel's (see <see cref="Scales"/>).</summary>
    public float Scale => _scales[0];

    /// <summary>The offset when it is one number; with per-channel offsets, the first channel's (see <see cref="Offsets"/>).</summary>
    public float Offset => _offsets[0];

    /// <summary>The scales: one number, or one per channel.</summary>
    public IReadOnlyList<float> Scales => _scales;

    /// <summary>The offsets: one number, or one per channel.</summary>
    public IReadOnlyList<float> Offsets => _offsets;

    private bool Scalar => _scales.Length == 1 && _offsets.Length == 1;

    private float[] Check(double[] values, string argument)
    {
        ArgumentNullException.ThrowIfNull(values, argument);
        if (values.Length == 0)
            throw new ArgumentException($"Rescaling '{Name}': {argument} is empty; give one number, or one per channel.", argument);
        foreach (double v in values)
            if (!double.IsFinite(v))
                throw new ArgumentException($"Rescaling '{Name}': {argument} must be finite numbers, got {v}.", argument);
        return values.Select(v => (float)v).ToArray();
    }

    protected override int[] OutputShape(int[] input)
    {
        foreach (var (values, what) in new[] { (_scales, "scale"), (_offsets, "offset") })
            if (values.Length != 1 && values.Length != input[^1])
                throw new ArgumentException($"Rescaling '{Name}': {what} has {values.Length} values but the input has {input[^1]} channels " +
                    $"(shape (None, {string.Join(", ", input)})). Give one {what}, or one per channel (the last axis).");
        return input;
    }

    public override Tensor Forward(Tensor x, bool training)
    {
        Tensor.Ensure(ref _y, x.Shape);
        if (Scalar)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(x.Span, Scale, _y!.Span);
            if (Offset != 0) System.Numerics.Tensors.TensorPrimitives.Add(_y.Span, Offset, _y.Span);
            return _y;
        }
        int per = x.Size / Math.Max(x.Dim(0), 1);
        Expand(_scales, ref _scaleExpanded, per);
        Expand(_offsets, ref _offsetExpanded, per);
        Backend.Current.BroadcastConstant(ConstantOp.Multiply, x, _scaleExpanded, _y!);
        Backend.Current.BroadcastConstant(ConstantOp.Add, _y!, _offsetExpanded, _y!);
        return _y!;
    }

    /// <summary>One sample's worth of values, repeated over the channels-last positions (once per input size).</summary>
    private static void Expand(float[] values, ref float[] expanded, int per)
    {
        if (expanded.Length == per) return;
        expanded = new float[per];
        for (int i = 0; i < per; i++) expanded[i] = values[i % values.Length];
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, dy.Shape);
        if (Scalar) System.Numerics.Tensors.TensorPrimitives.Multiply(dy.Span, Scale, _dx!.Span);
        else Backend.Current.BroadcastConstantBackward(ConstantOp.Multiply, dy, _scaleExpanded, _dx!);
        InputGradient = _dx;
    }

    /// <summary>Keras' config: a number, or a list of numbers (what Keras writes for a Python list).</summary>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["scale"] = _scales.Length == 1 ? _scales[0] : _scales.ToArray();
        c["offset"] = _offsets.Length == 1 ? _offsets[0] : _offsets.ToArray();
        return c;
    }

    /// <summary>
    /// Rebuilds the layer from its Keras config: scale and offset as a number, a list, or Keras' serialized NumPy array
    /// (<c>{"class_name": "__numpy__", "config": {"value": [...]}}</c>).
    /// </summary>
    public static Rescaling FromConfig(LayerConfig c) => new(Values(c, "scale", 1), Values(c, "offset", 0), name: c.Name);

    private static double[] Values(LayerConfig c, string key, double fallback)
    {
        var node = c.Json[key];
        if (node is JsonObject o && (string?)o["class_name"] == "__numpy__") node = o["config"]?["value"];
        var values = new List<double>();
        void Add(JsonNode? n)
        {
            switch (n)
            {
                case null: break;
                case JsonArray a: foreach (var e in a) Add(e); break;
                case JsonValue v when v.TryGetValue<double>(out double d): values.Add(d); break;
                default: throw new NotSupportedException($"Rescaling '{c.Name}': {key} {n.ToJsonString()} is not a number or a list of numbers.");
            }
        }
        Add(node);
        return c.Json[key] is null ? [fallback] : values.ToArray();
    }
}
