namespace DeepSharp.Layers;

/// <summary>A layer with one input: most of them. Subclasses see one tensor instead of a list.</summary>
public abstract class SingleInputLayer : Layer
{
    protected SingleInputLayer(string? name, int[]? inputShape = null) : base(name, inputShape) { }

    public sealed override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count != 1)
            throw new ArgumentException($"Layer '{Name}' ({ClassName}) takes one input but was given {inputShapes.Count}.");
        return OutputShape(inputShapes[0]);
    }

    /// <summary>The per-sample output shape for one per-sample input shape.</summary>
    protected abstract int[] OutputShape(int[] inputShape);

    protected sealed override void Build(IReadOnlyList<int[]> inputShapes) => Build(inputShapes[0]);

    /// <summary>Creates the weights for a per-sample input shape.</summary>
    protected virtual void Build(int[] inputShape) { }

    public sealed override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training) => Forward(inputs[0], training);

    /// <summary>Runs the layer on one (batch, ...) tensor; see <see cref="Layer.Forward(IReadOnlyList{Tensor}, bool)"/>.</summary>
    public abstract Tensor Forward(Tensor x, bool training);

    /// <summary>The gradient for the single input, set by Backward and read by the model.</summary>
    public Tensor? InputGradient
    {
        get => InputGradients[0];
        protected set => InputGradients[0] = value;
    }
}
