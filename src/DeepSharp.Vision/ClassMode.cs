namespace DeepSharp.Vision;

/// <summary>What a directory iterator returns as targets (Keras' <c>class_mode</c>).</summary>
/// <example><code>gen.FlowFromDirectory(dir, (150, 150), classMode: ClassMode.Binary);</code></example>
public enum ClassMode
{
    /// <summary>One-hot floats of shape (batch, classes).</summary>
    Categorical,
    /// <summary>The class index as a float 0 or 1, shape (batch). Needs exactly 2 classes.</summary>
    Binary,
    /// <summary>The class index as a float, shape (batch).</summary>
    Sparse,
    /// <summary>Targets are the images themselves (autoencoders).</summary>
    Input,
    /// <summary>No targets: Y is null (for Predict).</summary>
    None,
    /// <summary>The given numeric targets unchanged (<c>ImageDataGenerator.FlowFromDataFrame</c> only; Keras' "raw").</summary>
    Raw,
}
