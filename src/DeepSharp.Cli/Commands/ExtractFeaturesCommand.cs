using System.CommandLine;
using DeepSharp.Data;
using DeepSharp.Vision;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// `deepsharp extract-features --base resnet18|vgg16|FILE.onnx|FILE.keras --data DIR --output features.npz`: the chapter's feature
/// extraction (5.3.1) as a file: every image of DIR's class sub-folders through the pretrained base in inference mode, saved as a
/// NumPy archive with <c>features</c> (float32, N × the base's output shape), <c>labels</c> (int32 class indices),
/// <c>file_names</c> and <c>class_names</c>. Images are resized to the base's input size and prepared as it needs
/// (<see cref="BaseNetwork"/>): resnet18 224×224 raw pixels, vgg16 150×150 with Keras' caffe preprocessing.
/// </summary>
internal static class ExtractFeaturesCommand
{
    public static Command Create()
    {
        var baseNet = new Option<string>("--base") { Description = BaseNetworks.Choices, Required = true };
        var data = new Option<string>("--data") { Description = "a folder with one sub-folder of images per class", Required = true };
        var output = new Option<string>("--output") { Description = "the .npz file to write", Required = true };
        var size = new Option<int?>("--target-size") { Description = "resnet18 and vgg16: images are resized to N×N (default: 224 for resnet18, 150 for vgg16; a file's base has its own size)" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 20 };
        var cmd = new Command("extract-features", "Run images through a pretrained base and save the features (NumPy .npz).")
            { baseNet, data, output, size, batch };
        cmd.SetAction(r => Run(r.GetValue(baseNet)!, r.GetValue(data)!, r.GetValue(output)!, r.GetValue(size), r.GetValue(batch)));
        return cmd;
    }

    private static int Run(string baseSpec, string dir, string output, int? size, int batchSize)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--data: folder '{dir}' does not exist.");
        string? outDir = Path.GetDirectoryName(Path.GetFullPath(output));
        if (outDir is not null && !Directory.Exists(outDir))
            throw new DirectoryNotFoundException($"--output: folder '{outDir}' does not exist. Create it first.");
        if (size is { } s) UsageException.RequireRange("--target-size", s, 32, 4096);
        UsageException.RequireRange("--batch-size", batchSize, 1, int.MaxValue);
        var network = BaseNetworks.Resolve(baseSpec, size);
        Console.WriteLine($"Base: {network.Describe()}.");
        var convBase = network.FeatureModel();
        // The feature model takes raw 0–255 pixels (any scaling and preprocessing are its first layers).
        using var images = new ImageDataGenerator().FlowFromDirectory(dir, network.Size, colorMode: network.ColorMode,
            classMode: ClassMode.Sparse, batchSize: batchSize, shuffle: false);
        if (images.SampleCount == 0)
            throw new ArgumentException($"--data: folder '{dir}' has no images in class sub-folders (e.g. {dir}/cats/*.jpg).");
        Console.WriteLine($"Extracting {baseSpec} features of {images.SampleCount} images in {images.ClassIndices.Count} classes ...");
        var (features, _) = convBase.ExtractFeatures(images, images.SampleCount);
        new NpzWriter()
            .Add("features", features)
            .Add("labels", images.Classes.ToArray())
            .Add("file_names", images.Filenames.ToArray())
            .Add("class_names", images.ClassIndices.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray())
            .Save(output);
        Console.WriteLine($"Wrote {output}: features {Tensor.FormatShape(features.Shape)}, labels, file_names, class_names.");
        return 0;
    }
}
