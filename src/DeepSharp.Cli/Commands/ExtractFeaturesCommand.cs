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
        var output = new Option<string>("--output", "-o") { Description = "the .npz file to write", Required = true };
        var size = new Option<int?>("--target-size") { Description = "resnet18 and vgg16: images are resized to N×N (default: 224 for resnet18, 150 for vgg16; a file's base has its own size)" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 20 };
        var cmd = new Command("extract-features", "Run images through a pretrained base and save the features (NumPy .npz).")
            { baseNet, data, output, size, batch };
        cmd.SetAction(r => Run(r.GetValue(baseNet)!, r.GetValue(data)!, r.GetValue(output)!, r.GetValue(size), r.GetValue(batch)));
        return cmd;
    }

    private static int Run(string baseSpec, string dir, string output, int? size, int batchSize)
    {
        // Every flag, and the output file, is checked before the base is loaded or any image read.
        if (size is { } s) UsageException.RequireRange("--target-size", s, 32, 4096);
        UsageException.RequireRange("--batch-size", batchSize, 1, int.MaxValue);
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException(File.Exists(dir) ? $"--data: '{dir}' is a file; give a folder with one sub-folder of images per class." : $"--data: folder '{dir}' does not exist.");
        output = OutputPath.CheckFile(output, "--output", [".npz"], ("--data", dir), ("--base", baseSpec));
        var network = BaseNetworks.Resolve(baseSpec, size);
        Console.WriteLine($"Base: {network.Describe()}.");
        // One batch at the base's input size must fit one array (a 20000×20000 input, a huge --batch-size).
        var (h, w) = network.Size;
        int channels = network.ColorMode == ColorMode.Grayscale ? 1 : 3;
        FlagLimits.RequireProduct("--batch-size", $"a batch of {batchSize} images of {h}×{w}×{channels} (the input of {baseSpec})", FlagLimits.MaxValues, batchSize, h, w, channels);
        var convBase = network.FeatureModel();
        FlagLimits.RequireActivationMemory("--batch-size", convBase, batchSize, $"the base {baseSpec}");
        // The feature model takes raw 0–255 pixels (any scaling and preprocessing are its first layers).
        using var images = new ImageDataGenerator().FlowFromDirectory(dir, network.Size, colorMode: network.ColorMode,
            classMode: ClassMode.Sparse, batchSize: batchSize, shuffle: false);
        if (images.SampleCount == 0)
            throw new ArgumentException($"--data: folder '{dir}' has no images in class sub-folders (e.g. {dir}/cats/*.jpg).");
        long perSample = convBase.OutputShapePerSample!.Aggregate(1L, (a, b) => a * b);
        FlagLimits.RequireProduct("--data", $"the features of {images.SampleCount} images ({perSample:N0} values each from {baseSpec})", FlagLimits.MaxValues, images.SampleCount, perSample);
        Console.WriteLine($"Extracting {baseSpec} features of {images.SampleCount} images in {images.ClassIndices.Count} classes ...");
        var (features, _) = convBase.ExtractFeatures(images, images.SampleCount);
        // A base may compute NaN or ±inf from finite weights (an overflow); such features would poison every later step.
        float[] values = features.ToArray();
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
        {
            int sample = (int)(bad / perSample);
            throw new InvalidDataException($"--base: {baseSpec} gave {values[bad]} among the features of '{images.Filenames[sample]}' (value {bad % perSample} of {perSample}); " +
                "its weights make the numbers overflow or are damaged. Nothing was written; check the base (export it again) and the images' scale.");
        }
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
