using DeepSharp.Backends;
using DeepSharp.Saving;

namespace DeepSharp.Layers;

/// <summary>
/// Applies an activation by Keras' name ("relu", "gelu", "silu", "leaky_relu", "softmax" over the last axis, ...: see
/// <see cref="Activations"/>) or as one of <see cref="Activations"/>; saved in <c>.keras</c> by name.
/// </summary>
/// <example><code>
/// new Activation("relu")
/// new Activation(Activations.Gelu)
/// </code></example>
public sealed class Activation : SingleInputLayer, ILayerFromConfig<Activation>
{
    private readonly ActivationStage _stage;
    private Tensor? _y;

    public Activation(ActivationOption activation, string? name = null) : base(name)
    {
        Kind = activation.Resolve(Name);
        _stage = new ActivationStage(Kind);
    }

    public ActivationKind Kind { get; }

    internal override ActivationKind? OutputActivation => Kind;
    internal override Tensor? Logits => _stage.Logits;

    protected override int[] OutputShape(int[] input) => input;

    public override Tensor Forward(Tensor x, bool training)
    {
        Tensor.Ensure(ref _y, x.Shape);
        if (Kind == ActivationKind.Relu) Backend.Current.Activation(Kind, x, _y!);
        else
        {
            x.Span.CopyTo(_y!.Span);
            _stage.Apply(_y);
        }
        return _y;
    }

    public override void Backward(Tensor dy, bool needInputGradients) => Backprop(dy, new BackwardArgs(needInputGradients));

    internal override void Backprop(Tensor dy, in BackwardArgs args) =>
        InputGradient = args.NeedInputGradients ? _stage.Backprop(_y!, dy, args.FromLogits) : null;

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["activation"] = ActivationNames.Name(Kind);
        return c;
    }

    /// <summary>Rebuilds an Activation layer from its Keras config.</summary>
    public static Activation FromConfig(LayerConfig c) => new(c.String("activation", "linear")!, c.Name);
}
