using DeepSharp.Downloads;
using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Applications;

/// <summary>Keras' ready-made ImageNet networks (keras.applications): VGG16 here, ResNet18 beside it.</summary>
public static partial class Applications
{
    internal static readonly KerasWeightFiles.WeightFile VGG16Top = new("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        "64373286793e3c8b2b4e3219cbf3544b", 553_467_096);

    internal static readonly KerasWeightFiles.WeightFile VGG16NoTop = new("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "6d6bbae143d832006294945121d1f1fc", 58_889_256);

    /// <summary>
    /// VGG16 as Keras builds it (<c>keras.applications.VGG16</c>, R keras' <c>application_vgg16</c>): five blocks of 3×3 "same"
    /// ReLU convolutions (64, 128, 256, 512, 512 filters; 2, 2, 3, 3, 3 of them) each ending in 2×2 max pooling, named
    /// <c>block1_conv1</c> … <c>block5_conv3</c>, <c>block1_pool</c> … <c>block5_pool</c>; with <paramref name="includeTop"/>,
    /// <c>flatten</c>, <c>fc1</c> and <c>fc2</c> (4096, ReLU) and <c>predictions</c> (<paramref name="classes"/>, softmax).
    /// Without the top the base has 14,714,688 parameters and <paramref name="pooling"/> ("avg" or "max") can end it.
    /// </summary>
    /// <param name="weights">"imagenet" (Keras' published weights: the Keras cache <c>~/.keras/models</c> is searched first,
    /// else they are downloaded, with progress reported through <paramref name="download"/>, and checked against Keras' MD5), null (random), or the path of a weights file.</param>
    /// <param name="includeTop">Whether to include the three fully connected layers (then the input must be 224×224×3 with ImageNet weights).</param>
    /// <param name="inputShape">Height, width, channels; 224×224×3 by default; at least 32×32; 3 channels with ImageNet weights.</param>
    /// <param name="pooling">Without the top: null (the 4D output of block5_pool), "avg" or "max" (global pooling to 512 features).</param>
    /// <param name="classes">Classes of the top (1000 with ImageNet weights).</param>
    /// <param name="classifierActivation">The top's activation: "softmax" (default) or null for logits.</param>
    /// <param name="name">The model's name.</param>
    /// <param name="download">Download progress and logging, and whether downloading is allowed (the Keras cache stays <c>~/.keras/models</c>).</param>
    /// <remarks>The weights expect images prepared by <see cref="VGG16PreprocessInput"/> (Keras' "caffe" mode: BGR, ImageNet
    /// means subtracted, no scaling). The book instead rescales by 1/255 and still reaches ~0.90 on cats vs. dogs.</remarks>
    /// <example><code>
    /// var convBase = Applications.VGG16(weights: "imagenet", includeTop: false, inputShape: (150, 150, 3));
    /// convBase.Summary();   // Total params: 14,714,688
    /// </code></example>
    public static Model VGG16(string? weights = "imagenet", bool includeTop = true, (int H, int W, int C)? inputShape = null,
        string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "vgg16", DownloadOptions? download = null) =>
        VGG16(weights, includeTop, inputShape, pooling, classes, classifierActivation, name, KerasWeightFiles.DefaultHome, null, download);

    /// <summary>The builder, with the Keras home and (for tests) the published file description replaceable.</summary>
    internal static Model VGG16(string? weights, bool includeTop, (int H, int W, int C)? inputShape, string? pooling, int classes,
        string? classifierActivation, string name, string kerasHome, KerasWeightFiles.WeightFile? publishedFile, DownloadOptions? download = null)
    {
        bool imagenet = weights == "imagenet";
        if (!(weights is null || imagenet || File.Exists(weights)))
            throw new ArgumentException("VGG16: weights must be null (random initialization), \"imagenet\" (pre-training on ImageNet) or the path to " +
                $"a weights file to load; got \"{weights}\", which is not an existing file.", nameof(weights));
        if (imagenet && includeTop && classes != 1000)
            throw new ArgumentException($"VGG16: with weights: \"imagenet\" and includeTop: true, classes must be 1000 (got {classes}); " +
                "use includeTop: false and add your own classifier.", nameof(classes));
        if (pooling is not (null or "avg" or "max"))
            throw new ArgumentException($"VGG16: pooling must be null, \"avg\" or \"max\"; got \"{pooling}\".", nameof(pooling));
        var shape = inputShape ?? (224, 224, 3);
        if (imagenet && includeTop && shape != (224, 224, 3))
            throw new ArgumentException($"VGG16: with includeTop: true and weights: \"imagenet\" the input shape must be (224, 224, 3); got {shape}. " +
                "Use includeTop: false for other sizes.", nameof(inputShape));
        if (imagenet && shape.C != 3)
            throw new ArgumentException($"VGG16: the ImageNet weights need 3 input channels; got inputShape {shape}.", nameof(inputShape));
        if (shape.H < 32 || shape.W < 32)
            throw new ArgumentException($"VGG16: input height and width must be at least 32; got inputShape {shape}.", nameof(inputShape));

        var input = new Input(shape.H, shape.W, shape.C);
        SymbolicTensor x = input;
        int[] filters = [64, 128, 256, 512, 512];
        int[] convs = [2, 2, 3, 3, 3];
        for (int b = 0; b < 5; b++)
        {
            for (int c = 0; c < convs[b]; c++)
                x = new Conv2D(filters[b], (3, 3), activation: "relu", padding: "same", name: $"block{b + 1}_conv{c + 1}").Call(x);
            x = new MaxPooling2D((2, 2), strides: (2, 2), name: $"block{b + 1}_pool").Call(x);
        }
        if (includeTop)
        {
            x = new Flatten(name: "flatten").Call(x);
            x = new Dense(4096, activation: "relu", name: "fc1").Call(x);
            x = new Dense(4096, activation: "relu", name: "fc2").Call(x);
            x = new Dense(classes, activation: classifierActivation, name: "predictions").Call(x);
        }
        else if (pooling == "avg") x = new GlobalAveragePooling2D().Call(x);
        else if (pooling == "max") x = new GlobalMaxPooling2D().Call(x);
        var model = new Model(input, x, name);

        if (imagenet)
        {
            var file = publishedFile ?? (includeTop ? VGG16Top : VGG16NoTop);
            model.LoadWeights(KerasWeightFiles.Get(file, kerasHome, $"VGG16(weights: \"imagenet\", includeTop: {includeTop.ToString().ToLowerInvariant()})", download));
        }
        else if (weights is not null) model.LoadWeights(weights);
        return model;
    }

    /// <summary>
    /// Keras' <c>vgg16.preprocess_input</c> ("caffe" mode): RGB images with values 0–255 become BGR with the ImageNet channel means
    /// (B 103.939, G 116.779, R 123.68) subtracted, no scaling. Returns a new tensor; the last axis must have 3 channels.
    /// </summary>
    /// <example><code>var features = convBase.Predict(Applications.VGG16PreprocessInput(images));</code></example>
    public static Tensor VGG16PreprocessInput(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank < 1 || images.Dim(-1) != 3)
            throw new ArgumentException($"VGG16PreprocessInput expects RGB images with 3 channels on the last axis; got shape {Tensor.FormatShape(images.Shape)}.", nameof(images));
        var result = new Tensor(images.ShapeArray.ToArray());
        var src = images.Span;
        var dst = result.Span;
        for (int i = 0; i < src.Length; i += 3)
        {
            dst[i] = src[i + 2] - 103.939f;
            dst[i + 1] = src[i + 1] - 116.779f;
            dst[i + 2] = src[i] - 123.68f;
        }
        return result;
    }
}
