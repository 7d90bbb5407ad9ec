namespace DeepSharp;

/// <summary>Keras' padding modes, for convolution and pooling layers (<c>padding: Padding.Same</c> or <c>padding: "same"</c>).</summary>
public enum Padding
{
    /// <summary>No padding: only windows that fit entirely (Keras' default).</summary>
    Valid,
    /// <summary>Zero padding so that the output is ceil(input / stride).</summary>
    Same,
}
