using DeepSharp.Downloads;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Onnx;
using DeepSharp.Onnx.Proto;

namespace DeepSharp.Applications;

public static partial class Applications
{
    /// <summary>
    /// ResNet-18's convolutional base with ImageNet weights, available offline: CNTK's ResNet-18 (stages [2, 2, 2, 3],
    /// 15.9 M weights, batch-norm statistics included) imported from the ONNX files of the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18
    /// 0.23.1. It takes NHWC RGB images with pixel values 0–255; its first layers are the package's preprocessing
    /// (RGB→BGR, minus the ImageNet mean image; for sizes other than 224×224 the mean image's per-channel means), so
    /// <c>Predict</c> on raw pixels gives the features: 512 per image with <paramref name="pooling"/> "avg", the
    /// (h/32, w/32, 512) feature map with null. There is no classifier (the package ships none).
    /// </summary>
    /// <param name="weights">"imagenet" (the package's files from <c>$DEEPSHARP_RESNET18_DIR</c>, the NuGet cache or
    /// <c>~/.deepsharp/models</c>; else fetched from your NuGet feeds, as Keras downloads its weights, and checked against the
    /// package's SHA-512), a folder holding the package's <c>ResNet18Onnx/</c> and <c>ResNetPrepOnnx/</c>, or null for the same
    /// architecture with fresh Keras-default weights.</param>
    /// <param name="inputShape">(height, width, 3); 224×224×3 by default. Height and width must be at least 32.</param>
    /// <param name="pooling">"avg" (global average pooling, the package's output) or null (the last feature map).</param>
    /// <param name="download">Where the weights are cached and fetched from, progress and logging (defaults: <see cref="DownloadOptions"/>).</param>
    /// <example><code>
    /// var convBase = Applications.ResNet18(weights: "imagenet");
    /// var features = convBase.Predict(images);                 // images (n, 224, 224, 3), 0–255 → (n, 512)
    /// var model = new Sequential(convBase, new Dense(256, activation: "relu"), new Dense(1, activation: "sigmoid"));
    /// convBase.Trainable = false;
    /// </code></example>
    public static Model ResNet18(string? weights = "imagenet", (int H, int W, int C)? inputShape = null, string? pooling = "avg",
        DownloadOptions? download = null)
    {
        var (h, w, c) = inputShape ?? (224, 224, 3);
        if (c != 3 || h < 32 || w < 32)
            throw new ArgumentException($"ResNet18: inputShape must be (height, width, 3) with height and width at least 32, got ({h}, {w}, {c}).", nameof(inputShape));
        if (pooling is not (null or "avg"))
            throw new ArgumentException($"ResNet18: pooling must be \"avg\" or null, got \"{pooling}\".", nameof(pooling));
        var (netPath, prepPath) = ResNet18Files.Find(weights is null or "imagenet" ? null : weights, download);
        var net = OnnxFile.Read(netPath);
        var prep = OnnxFile.Read(prepPath);
        if (h != 224 || w != 224) UseChannelMeans(prep, prepPath);

        var names = new HashSet<string>();
        var input = new Input(h, w, 3) { Name = "input_layer" };
        names.Add(input.Name);
        var x = OnnxImporter.ImportOn(prep, prepPath, input, names);
        // The file ends with AveragePool 7×7 on the 7×7 map of a 224 input; global average pooling is the same there
        // and keeps the 512 features for other sizes.
        var last = net.Graph.Node.Last();
        string mapName = last.OpType is "AveragePool" or "GlobalAveragePool" ? last.Input[0] : last.Output[0];
        x = OnnxImporter.ImportOn(net, netPath, x, names, mapName);
        if (pooling == "avg") x = new GlobalAveragePooling2D(name: "avg_pool").Call(x);
        var model = new Model(input, x, name: "resnet18");
        if (weights is null) Reinitialize(model);
        return model;
    }

    /// <summary>Replaces the preprocessing's 224×224 mean image by its per-channel means (any input size).</summary>
    private static void UseChannelMeans(ModelProto prep, string file)
    {
        var mean = prep.Graph.Initializer.FirstOrDefault(t => t.Dims.Count == 4 && t.Dims[1] == 3)
            ?? throw new Saving.ModelFileException(file, "the preprocessing graph has no (1, 3, H, W) mean image.");
        var values = OnnxFile.ToConstant(mean, file).Values;
        int plane = values.Length / 3;
        var channelMeans = Enumerable.Range(0, 3).Select(ch => (float)values.AsSpan(ch * plane, plane).ToArray().Average(v => (double)v)).ToArray();
        var replacement = new TensorProto { Name = mean.Name, DataType = mean.DataType };
        replacement.Dims.Add([1, 3, 1, 1]);
        replacement.FloatData.Add(channelMeans);
        prep.Graph.Initializer[prep.Graph.Initializer.IndexOf(mean)] = replacement;
    }

    /// <summary>weights: null: Keras' default initial values (glorot_uniform kernels, zero biases, unit batch-norm scale).</summary>
    private static void Reinitialize(Model model)
    {
        foreach (var p in model.Parameters)
        {
            if (p.Owner is ElementwiseConstant) continue;   // the preprocessing's mean stays
            string init = p.Name switch { "kernel" => "glorot_uniform", "gamma" or "moving_variance" => "ones", _ => "zeros" };
            Initializers.Initializer.Get(init).Fill(p.Value.Span, p.Value.Shape, Rng.Fork());
        }
    }
}
