namespace DeepSharp.Data;

/// <summary>
/// A set of labelled grayscale images as a dataset loader returns them: the images as one tensor
/// (count, height, width, 1) with the raw pixel values 0..255 (divide by 255f to get Keras' 0..1 inputs)
/// and one integer class label per image.
/// </summary>
/// <example>
/// <code>
/// var (train, test) = Mnist.Load();
/// Console.WriteLine($"{train.Count} training images from {train.Source}");
/// model.Fit(train.Images / 255f, ToCategorical(train.Labels), epochs: 5, batchSize: 64);
/// </code>
/// </example>
public sealed class LabeledImages
{
    /// <summary>The images, shape (count, height, width, 1), values 0..255.</summary>
    public Tensor Images { get; }

    /// <summary>The class of each image (0..9 for MNIST and Fashion-MNIST).</summary>
    public int[] Labels { get; }

    /// <summary>The number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Where the data came from: a file or folder path, or a description of the embedded sample.</summary>
    public string Source { get; }

    /// <summary>Wraps images and labels (not copied). The first axis of <paramref name="images"/> must match the label count.</summary>
    public LabeledImages(Tensor images, int[] labels, string source)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Rank != 4 || images.Dim(3) != 1)
            throw new ArgumentException($"Images from {source} have shape {Tensor.FormatShape(images.Shape)}; expected (count, height, width, 1). Reshape them to channels-last with one channel.", nameof(images));
        if (images.Dim(0) != labels.Length)
            throw new ArgumentException($"{source} has {images.Dim(0)} images but {labels.Length} labels; each image needs exactly one label. Check that the image and label files belong together.", nameof(labels));
        Images = images;
        Labels = labels;
        Source = source;
    }

    public override string ToString() => $"LabeledImages({Count} images {Tensor.FormatShape(Images.Shape)} from {Source})";
}
