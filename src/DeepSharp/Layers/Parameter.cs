namespace DeepSharp.Layers;

/// <summary>
/// One weight of a layer (Keras: a variable): its value, the gradient the last backward pass wrote,
/// and whether training updates it.
/// </summary>
public sealed class Parameter
{
    internal Parameter(Layer owner, string name, Tensor value, bool trainable)
    {
        Owner = owner;
        Name = name;
        Value = value;
        IsTrainableWeight = trainable;
    }

    /// <summary>The layer that owns it.</summary>
    public Layer Owner { get; }

    /// <summary>Keras' weight name: "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance".</summary>
    public string Name { get; }

    /// <summary>Full name as Keras prints it: "conv2d/kernel".</summary>
    public string Path => $"{Owner.Name}/{Name}";

    public Tensor Value { get; }

    private Tensor? _grad;

    /// <summary>
    /// dLoss/dValue from the last backward pass. The buffer is created the first time a backward pass writes it, so
    /// frozen weights and models used only for inference never hold gradient memory.
    /// </summary>
    public Tensor Grad => _grad ??= new Tensor(Value.ShapeArray.ToArray());

    /// <summary>Whether <see cref="Grad"/> has been allocated (a backward pass wrote it).</summary>
    public bool HasGradientBuffer => _grad is not null;

    /// <summary>False for statistics such as batch norm's moving mean and variance.</summary>
    public bool IsTrainableWeight { get; }

    /// <summary>The penalty on its values added to the training loss (Keras: variable.regularizer); null for none.</summary>
    internal Regularizers.Regularizer? Regularizer { get; set; }

    /// <summary>Whether the optimizer updates it: a trainable weight of a trainable layer.</summary>
    public bool Trainable => IsTrainableWeight && Owner.Trainable;
}
