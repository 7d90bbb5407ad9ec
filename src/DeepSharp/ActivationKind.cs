namespace DeepSharp;

/// <summary>The activations Keras knows by name.</summary>
public enum ActivationKind
{
    Linear,
    Relu,
    Sigmoid,
    Tanh,
    Softmax,
}
