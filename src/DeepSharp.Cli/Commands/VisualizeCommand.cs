using System.CommandLine;
using DeepSharp.Models;
using DeepSharp.Vision;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// `deepsharp visualize activations|filters|gradcam`: chapter 5.4's three ways of looking inside a convnet, on a saved
/// model (and, for filters, on a pretrained base). Each prints the files it wrote, one per line.
/// </summary>
internal static class VisualizeCommand
{
    public static Command Create() => new("visualize", "Look inside a convnet: intermediate activations, filter patterns, Grad-CAM heatmaps (chapter 5.4).")
    {
        Activations(), Filters(), GradCamCommand(),
    };

    private static Option<string> ModelOption(bool required) =>
        new("--model") { Description = "a model saved by Save or `deepsharp train` (.keras)", Required = required };

    private static Option<string> ImageOption() => new("--image") { Description = "the image (resized to the model's input size)", Required = true };

    private static Option<string> OutputOption() => new("--output", "-o") { Description = "folder for the pictures", Required = true };

    private static Option<float?> RescaleOption() =>
        new("--rescale") { Description = "factor applied to the 0–255 pixels before the model sees them, as in training (default: the model's own convention: 1 when it starts with a Rescaling layer, else 1/255)" };

    private static Command Activations()
    {
        var model = ModelOption(required: true);
        var image = ImageOption();
        var output = OutputOption();
        var layers = new Option<string?>("--layers") { Description = "comma-separated layer names (default: every layer with an image-shaped output)" };
        var rescale = RescaleOption();
        var cmd = new Command("activations", "One PNG grid per layer with every channel of its output for one image (5.4.1).") { model, image, output, layers, rescale };
        cmd.SetAction(r =>
        {
            FlagLimits.RequireFinite("--rescale", r.GetValue(rescale));
            return WithOutput(r.GetValue(output)!, [("--image", r.GetValue(image)), ("--model", r.GetValue(model))], () =>
            {
                var m = LoadModel(r.GetValue(model)!);
                var (x, _) = LoadImage(m, r.GetValue(image)!, r.GetValue(rescale));
                var names = r.GetValue(layers)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                foreach (var file in IntermediateActivations.Save(m, x, r.GetValue(output)!, names)) Console.WriteLine(file);
                return 0;
            });
        });
        return cmd;
    }

    private static Command Filters()
    {
        var model = ModelOption(required: false);
        var baseName = new Option<string?>("--base") { Description = $"a pretrained convolutional base instead of --model: {BaseNetworks.Choices}" };
        var layer = new Option<string>("--layer") { Description = "the convolutional layer whose filters to show", Required = true };
        var output = OutputOption();
        var count = new Option<int>("--count") { Description = "how many filters, from the first (8 per row)", DefaultValueFactory = _ => 64 };
        var steps = new Option<int>("--steps") { Description = "gradient ascent steps", DefaultValueFactory = _ => 40 };
        var rescale = new Option<float?>("--rescale") { Description = "factor applied to 0–255 pixels before the model sees them (default: the model's own convention: 1 when it starts with a Rescaling layer, as --base models do, else 1/255)" };
        var weights = new Option<string?>("--weights") { Description = "weights for --base resnet18|vgg16: \"random\", a weights file (vgg16) or package folder (resnet18); default: the ImageNet weights" };
        var cmd = new Command("filters", "The input pattern each filter of a layer responds to most, by gradient ascent (5.4.2).") { model, baseName, layer, output, count, steps, rescale, weights };
        cmd.SetAction(r =>
        {
            string? path = r.GetValue(model), b = r.GetValue(baseName);
            if ((path is null) == (b is null))
                throw new UsageException(path is null ? "--base" : "--model", $"visualize filters: give either --model M.keras or --base ({BaseNetworks.Choices}), not {(path is null ? "neither" : "both")}.");
            UsageException.RequireRange("--steps", r.GetValue(steps), 0, MaxSteps, "The chapter uses 40.");
            UsageException.RequireRange("--count", r.GetValue(count), 1, MaxFilters);
            FlagLimits.RequireFinite("--rescale", r.GetValue(rescale));
            return WithOutput(r.GetValue(output)!, [("--model", path), ("--base", b)], () =>
            {
                // A base comes with its pixel preparation in front (the ascent runs on 0–255 pixels); its layers are found inside it.
                var network = b is null ? null : BaseNetworks.Resolve(b, weights: r.GetValue(weights));
                var m = network?.FeatureModel(startWithRescaling: true) ?? LoadModel(path!);
                string l = r.GetValue(layer)!;
                string dir = r.GetValue(output)!;
                string file = Path.Combine(dir, $"{l}_filters.png");
                FilterPatterns.SaveGrid(m, l, file, r.GetValue(count), r.GetValue(steps), inputScale: r.GetValue(rescale));   // default: InputConvention.PixelScale(m), as the library
                Console.WriteLine(file);
                return 0;
            });
        });
        return cmd;
    }

    private static Command GradCamCommand()
    {
        var model = ModelOption(required: true);
        var image = ImageOption();
        var cls = new Option<string?>("--class") { Description = "class index or name (default: the top prediction)" };
        var names = new Option<string?>("--class-names") { Description = "comma-separated class names in the model's order (default: class_names.txt beside the model, if any)" };
        var layer = new Option<string?>("--layer") { Description = "convolutional layer (default: the last one)" };
        var output = OutputOption();
        var rescale = RescaleOption();
        var cmd = new Command("gradcam", "Heatmap of where the evidence for a class is (Grad-CAM, 5.4.3): heatmap.png, overlay.png, heatmap.npy.")
            { model, image, cls, names, layer, output, rescale };
        cmd.SetAction(r =>
        {
            string modelPath = r.GetValue(model)!;
            FlagLimits.RequireFinite("--rescale", r.GetValue(rescale));
            return WithOutput(r.GetValue(output)!, [("--image", r.GetValue(image)), ("--model", modelPath)], () =>
            {
                var m = LoadModel(modelPath);
                var (x, original) = LoadImage(m, r.GetValue(image)!, r.GetValue(rescale));
                var classNames = ClassNames(r.GetValue(names), modelPath);
                string? c = r.GetValue(cls);
                GradCamResult cam;
                if (c is null) cam = GradCam.Compute(m, x, null, r.GetValue(layer), classNames);
                else if (int.TryParse(c, out int index)) cam = GradCam.Compute(m, x, index, r.GetValue(layer), classNames);
                else cam = GradCam.Compute(m, x, c, classNames ?? throw new ArgumentException(
                    $"--class '{c}' is a name, but the model's class names are unknown: pass --class-names a,b,... or an index."), r.GetValue(layer));
                Console.Error.WriteLine($"class {cam.ClassIndex}{(cam.ClassName is null ? "" : $" ({cam.ClassName})")}, score {cam.Score:G4}, layer '{cam.LayerName}'");
                foreach (var file in GradCam.Save(cam, original, r.GetValue(output)!)) Console.WriteLine(file);
                return 0;
            });
        });
        return cmd;
    }

    /// <summary>Gradient-ascent steps and filters per grid: far above the chapter's 40 steps and 64 filters, far below what would not end.</summary>
    private const int MaxSteps = 100_000, MaxFilters = 4096;

    /// <summary>
    /// Checks the output folder before any model is loaded (created if missing, writable, not inside an input), then runs
    /// <paramref name="body"/>; when that fails, the folders this run created are removed again if nothing was written
    /// into them, so a failed run leaves no empty folder behind.
    /// </summary>
    private static int WithOutput(string folder, (string Flag, string? Path)[] inputs, Func<int> body)
    {
        string? created = OutputPath.FirstMissing(folder);
        try
        {
            OutputPath.CheckFolder(folder, "--output", [], inputs);
            return body();
        }
        catch
        {
            if (created is not null) OutputPath.RemoveIfNoFiles(created);
            throw;
        }
    }

    private static Model LoadModel(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--model: file '{path}' does not exist.");
        return Model.Load(path);
    }

    /// <summary>The image at the model's input size: (model input, original 0–255 pixels for overlays).</summary>
    private static (Tensor Input, Tensor Original) LoadImage(Model model, string path, float? rescale)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--image: file '{path}' does not exist.");
        var shape = model.InputShape ?? throw new ArgumentException($"Model '{model.Name}' has no input shape.");
        if (shape.Length != 3 || shape[2] is not (1 or 3))
            throw new ArgumentException($"Model '{model.Name}' takes inputs of (None, {string.Join(", ", shape)}), not images of 1 or 3 channels.");
        var original = ImageIO.Load(path, shape[2] == 1 ? ColorMode.Grayscale : ColorMode.Rgb, (shape[0], shape[1]), Interpolation.Nearest);
        return (original * (float)(rescale ?? InputConvention.PixelScale(model)), original);
    }

    private static string[]? ClassNames(string? option, string modelPath)
    {
        if (option is not null) return option.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return RunManifest.ClassNamesBeside(modelPath);
    }
}
