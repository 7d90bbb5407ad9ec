namespace DeepSharp;

/// <summary>
/// Keras' small helper functions. Import them with <c>using static DeepSharp.Utils;</c> to write them as in Keras.
/// </summary>
/// <example>
/// <code>
/// using static DeepSharp.Utils;
/// var y = ToCategorical(new[] { 0, 2, 1 });   // (3, 3): [1,0,0], [0,0,1], [0,1,0]
/// </code>
/// </example>
public static partial class Utils
{
    /// <summary>
    /// One-hot encodes class labels as Keras' <c>to_categorical</c>: a (N, C) float tensor with 1 in the
    /// label's column and 0 elsewhere. <paramref name="numClasses"/> defaults to the largest label + 1.
    /// </summary>
    /// <exception cref="ArgumentException">A label is negative or not less than <paramref name="numClasses"/>.</exception>
    public static Tensor ToCategorical(int[] labels, int? numClasses = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        int classes;
        if (numClasses is { } n)
        {
            if (n < 1) throw new ArgumentException($"ToCategorical: numClasses is {n}; it must be at least 1.", nameof(numClasses));
            classes = n;
        }
        else
        {
            if (labels.Length == 0)
                throw new ArgumentException("ToCategorical got no labels and no numClasses, so the number of classes is unknown. Pass numClasses.", nameof(labels));
            classes = labels.Max() + 1;
        }

        var result = new Tensor(labels.Length, classes);
        var data = result.Data;
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)classes)
                throw new ArgumentException(label < 0
                    ? $"ToCategorical: label {label} at index {i} is negative; labels must be class indices 0..{classes - 1}."
                    : $"ToCategorical: label {label} at index {i} is not less than numClasses = {classes}; labels must be 0..{classes - 1}. Pass a larger numClasses or fix the labels.",
                    nameof(labels));
            data[i * classes + label] = 1f;
        }
        return result;
    }
}
