using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Onnx;
using DeepSharp.Vision;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// A pretrained convolutional base the CLI offers (<c>--base</c>), with the images it wants: their size, their channels
/// and what its 0–255 pixels need before it sees them. Everything built on it (<see cref="FeatureModel"/>,
/// <see cref="Classifier"/>) takes raw 0–255 pixels.
/// </summary>
/// <param name="Spec">What the user wrote after --base.</param>
/// <param name="Model">The base itself: the layers that --fine-tune-from and visualize --layer name.</param>
/// <param name="Scale">Factor applied to 0–255 pixels before the base (1: the base takes raw pixels).</param>
/// <param name="CaffePreprocessing">Whether Keras' "caffe" preprocessing (RGB→BGR, minus the ImageNet channel means) goes in front (VGG16).</param>
/// <param name="FineTuneHint">A layer to name in --fine-tune-from examples, e.g. "block5_conv1".</param>
internal sealed record BaseNetwork(string Spec, Model Model, float Scale, bool CaffePreprocessing, string FineTuneHint)
{
    /// <summary>The base's input size (height, width).</summary>
    public (int Height, int Width) Size => (Model.InputShape![0], Model.InputShape[1]);

    /// <summary>Grayscale for a base that takes 1 channel, else RGB.</summary>
    public ColorMode ColorMode => Model.InputShape![2] == 1 ? ColorMode.Grayscale : ColorMode.Rgb;

    /// <summary>How the base sees its pixels, for the console.</summary>
    public string Describe() =>
        $"{Spec} takes {Size.Height}×{Size.Width}×{Model.InputShape![2]} images, " +
        (CaffePreprocessing ? "0–255 pixels in BGR minus the ImageNet means (Keras' caffe preprocessing)"
            : Scale == 1f ? "raw 0–255 pixels" : $"pixels × {Scale:G4}");

    /// <summary>
    /// Raw 0–255 pixels → the base's output: the base itself when it takes raw pixels, else with the scaling in front.
    /// <paramref name="startWithRescaling"/> always puts a Rescaling layer first, so the model states that it takes
    /// 0–255 pixels (<see cref="InputConvention.PixelScale"/> reads 1).
    /// </summary>
    public Model FeatureModel(bool startWithRescaling = false)
    {
        if (Scale == 1f && !CaffePreprocessing && !startWithRescaling) return Model;
        var input = new Input([.. Model.InputShape!]);
        var x = Prepare(input, startWithRescaling);
        return new Model(input, Model.Call(x, training: false), name: $"{Model.Name}_features");
    }

    /// <summary>
    /// The chapter's model on the base (5.3.1 with augmentation): Rescaling, the pixel preprocessing, the base (called in inference
    /// mode, so its BatchNormalization layers keep their ImageNet statistics when fine-tuned, as Keras' transfer-learning guide
    /// does), Flatten, Dense(256, relu), Dropout(0.5) with <paramref name="dropout"/>, then a sigmoid unit for two classes or a
    /// softmax for more. It starts with a <see cref="Rescaling"/> layer, so `deepsharp predict` feeds it raw 0–255 pixels.
    /// </summary>
    public Model Classifier(int classes, bool dropout)
    {
        var input = new Input([.. Model.InputShape!]);
        var x = Model.Call(Prepare(input, alwaysRescale: true), training: false);
        if (x.Shape.Length > 1) x = new Flatten().Call(x);
        x = new Dense(256, activation: "relu").Call(x);
        if (dropout) x = new Dropout(0.5).Call(x);
        x = (classes == 2 ? new Dense(1, activation: "sigmoid") : new Dense(classes, activation: "softmax")).Call(x);
        return new Model(input, x, name: $"{Model.Name}_classifier");
    }

    private SymbolicTensor Prepare(SymbolicTensor x, bool alwaysRescale = false)
    {
        if (Scale != 1f || alwaysRescale) x = new Rescaling(Scale).Call(x);
        if (CaffePreprocessing) x = BaseNetworks.CaffePreprocessing(x);
        return x;
    }

    /// <summary>
    /// Checks --fine-tune-from before any training: the base must have that layer; the error names a few of its layers
    /// with weights (the top ones, where fine-tuning starts).
    /// </summary>
    public void CheckLayer(string flag, string layer)
    {
        if (Model.Layers.Any(l => l.Name == layer)) return;
        var weighted = Model.Layers.Where(l => l.Parameters.Any(p => p.IsTrainableWeight)).Select(l => l.Name).ToList();
        var top = weighted.Skip(Math.Max(0, weighted.Count - 6)).ToList();
        throw new UsageException(flag, $"the {Spec} base has no layer named '{layer}'. Its top layers with weights are {string.Join(", ", top)} " +
            $"({weighted.Count} in all, from {weighted.FirstOrDefault()}); e.g. {flag} {FineTuneHint}.");
    }
}

/// <summary>
/// Resolves <c>--base</c> for <c>train</c>, <c>extract-features</c> and <c>visualize filters</c>: "resnet18" (ImageNet
/// weights from the NuGet package: the NuGet cache, ~/.deepsharp/models, else fetched from the user's NuGet feeds; 224×224 RGB, raw 0–255 pixels, its preprocessing built in), "vgg16" (Keras'
/// ImageNet weights from the Keras cache or downloaded; 150×150 as in the book, with Keras' caffe preprocessing in front),
/// FILE.onnx (its input size from the file, raw 0–255 pixels: put any scaling into the file) or FILE.keras (a saved base; raw
/// pixels when its first layer is a Rescaling, else scaled by 1/255 as `deepsharp train` feeds its models).
/// </summary>
internal static class BaseNetworks
{
    /// <summary>The choices, for help texts and errors.</summary>
    public const string Choices = "resnet18, vgg16, FILE.onnx or FILE.keras";

    /// <summary>
    /// The base named by <paramref name="spec"/>; <paramref name="size"/> overrides the input size of resnet18 and vgg16 (a file's
    /// is fixed: a different size is an error); <paramref name="weights"/> ("random", or a weights file/folder) replaces the
    /// ImageNet weights of resnet18 and vgg16.
    /// </summary>
    public static BaseNetwork Resolve(string spec, int? size = null, string? weights = null, string flag = "--base")
    {
        string name = spec.Trim().ToLowerInvariant();
        string? w = weights == "random" ? null : weights ?? "imagenet";
        if (name is "resnet18" or "vgg16")
        {
            if (weights is not null and not "random" && !File.Exists(weights) && !Directory.Exists(weights))
                throw new UsageException("--weights", $"'{weights}' does not exist. Give a weights file (vgg16), the package folder (resnet18), \"random\", or leave it out for the ImageNet weights.");
            return name == "resnet18"
                ? new BaseNetwork("resnet18", Applications.Applications.ResNet18(weights: w, inputShape: (size ?? 224, size ?? 224, 3), download: ConsoleDownloadProgress.Options), 1f, false, "Convolution381")
                : new BaseNetwork("vgg16", Applications.Applications.VGG16(weights: w, includeTop: false, inputShape: (size ?? 150, size ?? 150, 3), download: ConsoleDownloadProgress.Options), 1f, true, "block5_conv1");
        }
        bool onnx = name.EndsWith(".onnx", StringComparison.Ordinal), keras = name.EndsWith(".keras", StringComparison.Ordinal);
        if (!onnx && !keras)
            throw new UsageException(flag, $"unknown base network '{spec}'. Use {Choices}.");
        if (weights is not null) throw new UsageException("--weights", $"applies to --base resnet18 or vgg16; '{spec}' brings its own weights.");
        if (Directory.Exists(spec)) throw new UsageException(flag, $"'{spec}' is a folder; give the {(onnx ? ".onnx" : ".keras")} file.");
        if (!File.Exists(spec)) throw new FileNotFoundException($"{flag}: file '{spec}' does not exist. Use {Choices}.");

        var model = onnx ? OnnxModel.Load(spec) : Model.Load(spec);
        if (model.InputShape is not { Length: 3 } s || s[2] is not (1 or 3))
            throw new UsageException(flag, $"'{spec}' takes inputs of (None, {string.Join(", ", model.InputShape ?? [])}), not images of 1 or 3 channels; a base must take (height, width, channels) images.");
        if (size is { } n && (s[0] != n || s[1] != n))
            throw new UsageException("--target-size", $"{n} does not fit the base '{spec}', which takes {s[0]}×{s[1]} images; leave --target-size out to use its size.");
        float scale = onnx ? 1f : (float)InputConvention.PixelScale(model);
        var weighted = model.Layers.Where(l => l.Parameters.Any(p => p.IsTrainableWeight)).ToList();
        string hint = weighted.Count > 0 ? weighted[Math.Max(0, weighted.Count - 2)].Name : model.Layers.LastOrDefault()?.Name ?? "LAYER";
        return new BaseNetwork(spec, model, scale, false, hint);
    }

    /// <summary>
    /// Keras' <c>vgg16.preprocess_input</c> ("caffe") as a layer, so a saved model takes raw pixels: a frozen 1×1 convolution
    /// whose kernel swaps R and B and whose bias subtracts the ImageNet channel means (B 103.939, G 116.779, R 123.68).
    /// Exact: each output is one input times 1 plus the bias.
    /// </summary>
    internal static SymbolicTensor CaffePreprocessing(SymbolicTensor x)
    {
        var conv = new Conv2D(3, (1, 1), name: "caffe_preprocessing");
        var y = conv.Call(x);
        var kernel = new Tensor(1, 1, 3, 3);
        for (int c = 0; c < 3; c++) kernel[0, 0, 2 - c, c] = 1f;
        conv.SetWeights([kernel, Tensor.FromArray([-103.939f, -116.779f, -123.68f], 3)]);
        conv.Trainable = false;
        return y;
    }
}
