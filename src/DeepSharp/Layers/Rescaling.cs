using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Multiplies its input by <c>scale</c> and adds <c>offset</c> (Keras: <c>layers.Rescaling</c>). Put first in a model it lets the
/// model take raw 0–255 pixels, so the preprocessing travels with the saved model.
/// </summary>
/// <example><code>new Sequential(new Rescaling(1.0 / 255, inputShape: (150, 150, 3)), convBase, new Flatten(), new Dense(1, activation: "sigmoid"))</code></example>
public sealed class Rescaling : SingleInputLayer, ILayerFromConfig<Rescaling>
{
    private Tensor? _y, _dx;

    public Rescaling(double scale, double offset = 0, (int H, int W, int C)? inputShape = null, string? name = null)
        : base(name, inputShape is { } s ? [s.H, s.W, s.C] : null)
    {
        Scale = (float)scale;
        Offset = (float)offset;
    }

    public float Scale { get; }
    public float Offset { get; }

    protected override int[] OutputShape(int[] input) => input;

    public override Tensor Forward(Tensor x, bool training)
    {
        Tensor.Ensure(ref _y, x.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(x.Span, Scale, _y!.Span);
        if (Offset != 0) System.Numerics.Tensors.TensorPrimitives.Add(_y.Span, Offset, _y.Span);
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients)
    {
        InputGradient = null;
        if (!needInputGradients) return;
        Tensor.Ensure(ref _dx, dy.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(dy.Span, Scale, _dx!.Span);
        InputGradient = _dx;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["scale"] = Scale;
        c["offset"] = Offset;
        return c;
    }

    /// <summary>Rebuilds the layer from its Keras config.</summary>
    public static Rescaling FromConfig(LayerConfig c) => new(c.Float("scale", 1f), c.Float("offset", 0f), name: c.Name);
}
