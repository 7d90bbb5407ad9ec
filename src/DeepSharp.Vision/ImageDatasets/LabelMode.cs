namespace DeepSharp.Vision;

/// <summary>How <see cref="ImageDataset.FromDirectory"/> encodes labels (Keras' <c>label_mode</c>).</summary>
/// <example><code>var ds = ImageDataset.FromDirectory("data/train", labelMode: LabelMode.Binary);   // y: (batch, 1)</code></example>
public enum LabelMode
{
    /// <summary>The class index, shape (batch) (Keras' int32 labels, here float32), for sparse_categorical_crossentropy.</summary>
    Int,
    /// <summary>One-hot floats, shape (batch, classes), for categorical_crossentropy.</summary>
    Categorical,
    /// <summary>0 or 1 as floats, shape (batch, 1); needs exactly 2 classes. For binary_crossentropy.</summary>
    Binary,
    /// <summary>No labels: the dataset yields images only (Keras' <c>label_mode=None</c> or <c>labels=None</c>).</summary>
    None,
}
