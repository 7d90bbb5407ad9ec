using System.CommandLine;
using System.Globalization;
using DeepSharp.Data;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Vision;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// `deepsharp predict --model M.keras (--image IMG | --data DIR) [--output predictions.csv]`: class probabilities and the
/// predicted class for each image. Class names come from class_names.txt beside the model (written by `deepsharp train`),
/// or --class-names. A model that starts with a Rescaling layer takes raw 0–255 pixels; others get pixels scaled by
/// --rescale (default 1/255, as `deepsharp train` feeds the chapter's convnets).
/// </summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "a model saved by `deepsharp train` or Model.Save (.keras)", Required = true };
        var image = new Option<string?>("--image") { Description = "one image file" };
        var data = new Option<string?>("--data") { Description = "a folder of images (searched recursively)" };
        var output = new Option<string?>("--output", "-o") { Description = "write the predictions as CSV (file, one probability per class, predicted class)" };
        var classNames = new Option<string?>("--class-names") { Description = "comma-separated class names (default: class_names.txt beside the model)" };
        var rescale = new Option<float?>("--rescale") { Description = "pixel scale for models without a Rescaling layer (default 1/255)" };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var followLinks = new Option<bool>("--follow-links") { Description = "with --data: enter linked sub-folders (each real folder once)" };
        var cmd = new Command("predict", "Classify images with a trained model.") { model, image, data, output, classNames, rescale, batch, followLinks };
        cmd.SetAction(r => Run(r.GetValue(model)!, r.GetValue(image), r.GetValue(data), r.GetValue(output), r.GetValue(classNames),
            r.GetValue(rescale), r.GetValue(batch), r.GetValue(followLinks)));
        return cmd;
    }

    private static int Run(string modelPath, string? image, string? data, string? output, string? classNamesOption, float? rescale, int batchSize,
        bool followLinks)
    {
        // Every flag, and the output file, is checked before any image is read or any prediction made.
        if ((image is null) == (data is null)) throw new UsageException(image is null ? "--image" : "--data", "predict needs exactly one of --image IMG or --data DIR.");
        UsageException.RequireRange("--batch-size", batchSize, 1, int.MaxValue);
        FlagLimits.RequireFinite("--rescale", rescale, "The chapter's models take 1/255 (0.00392156).");
        if (output is not null)
            output = OutputPath.CheckFile(output, "--output", [".csv"], ("--data", data), ("--image", image), ("--model", modelPath));
        if (!File.Exists(modelPath))
            throw new FileNotFoundException(Directory.Exists(modelPath) ? $"--model: '{modelPath}' is a folder; give the .keras file in it." : $"--model: file '{modelPath}' does not exist.", modelPath);
        var files = image is not null ? [CheckFile(image)] : ImageFiles(data!, followLinks);
        var model = Model.Load(modelPath);
        var shape = model.InputShape ?? throw new ArgumentException($"--model: '{modelPath}' has no input shape.");
        if (shape.Length != 3 || shape[2] is not (1 or 3))
            throw new ArgumentException($"--model: '{modelPath}' takes inputs of shape (None, {string.Join(", ", shape)}), not images (height, width, 1 or 3).");
        // One batch of images at the model's input size must fit one array (a 20000×20000 input, a huge --batch-size).
        FlagLimits.RequireProduct("--batch-size", $"a batch of {Math.Min(batchSize, files.Count)} images of {shape[0]}×{shape[1]}×{shape[2]} (the input of '{modelPath}')",
            FlagLimits.MaxValues, Math.Min(batchSize, files.Count), shape[0], shape[1], shape[2]);
        FlagLimits.RequireActivationMemory("--batch-size", model, Math.Min(batchSize, files.Count), $"the model '{modelPath}'");
        float scale = (float)(rescale ?? InputConvention.PixelScale(model));
        int outputs = model.OutputShapePerSample!.Aggregate(1, (a, b) => a * b);
        int classes = outputs == 1 ? 2 : outputs;
        var names = ClassNames(modelPath, classNamesOption, classes);
        var colorMode = shape[2] == 1 ? ColorMode.Grayscale : ColorMode.Rgb;

        var rows = new List<(string File, float[] Probabilities)>();
        for (int start = 0; start < files.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, files.Count - start);
            var x = new Tensor(n, shape[0], shape[1], shape[2]);
            int per = shape[0] * shape[1] * shape[2];
            for (int i = 0; i < n; i++)
            {
                var img = ImageIO.Load(files[start + i], colorMode, (shape[0], shape[1]));
                System.Numerics.Tensors.TensorPrimitives.Multiply(img.Span, scale, x.Span.Slice(i * per, per));
            }
            var y = model.Predict(x, batchSize: n);
            for (int i = 0; i < n; i++)
            {
                var p = y.Span.Slice(i * outputs, outputs).ToArray();
                int bad = Array.FindIndex(p, v => !float.IsFinite(v));
                if (bad >= 0)
                    throw new ArgumentException($"--model: '{modelPath}' gave {p[bad]} for '{files[start + i]}' (output {bad}), not a probability. " +
                        "The model's weights or the image's scale (--rescale) make its numbers overflow; check both.");
                rows.Add((files[start + i], outputs == 1 ? [1 - p[0], p[0]] : p));
            }
        }

        var csv = new CsvWriter();
        csv.TextRow(names.Select(c => "p_" + c).Prepend("file").Append("predicted"));
        var inv = CultureInfo.InvariantCulture;
        foreach (var (file, p) in rows)
        {
            int best = Array.IndexOf(p, p.Max());
            string shown = string.Join("  ", names.Select((c, k) => $"{c} {p[k].ToString("F4", inv)}"));
            Console.WriteLine($"{file}: {names[best]}  ({shown})");
            csv.Row(p.Select(v => CsvWriter.Number(v, "G6")).Prepend(CsvWriter.Field(file)).Append(CsvWriter.Field(names[best])));
        }
        if (output is not null)
        {
            WriteAtomically(output, csv.ToString());
            Console.WriteLine($"Wrote {rows.Count} predictions to {output}.");
        }
        return 0;
    }

    private static string CheckFile(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"--image: file '{path}' does not exist.", path);

    private static List<string> ImageFiles(string dir, bool followLinks)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--data: folder '{dir}' does not exist.");
        var files = FolderWalker.ImageFiles(dir, followLinks);
        if (files.Count == 0)
            throw new ArgumentException($"--data: folder '{dir}' holds no images ({string.Join(", ", DirectoryIterator.ImageExtensions)}){(followLinks ? "" : "; linked sub-folders are entered only with --follow-links")}.");
        return files;
    }

    /// <summary>--class-names, else class_names.txt beside the model, else class_0, class_1, ...</summary>
    private static string[] ClassNames(string modelPath, string? option, int classes)
    {
        string[]? names = option?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string from = "--class-names";
        if (names is null && RunManifest.ClassNamesBeside(modelPath) is { } beside)
        {
            names = beside;
            from = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "class_names.txt");
        }
        if (names is null) return Enumerable.Range(0, classes).Select(i => $"class_{i}").ToArray();
        if (names.Length != classes)
            throw new ArgumentException($"{from} gives {names.Length} class names but the model predicts {classes} classes.");
        return names;
    }

    internal static void WriteAtomically(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string tmp = $"{full}.tmp-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            File.WriteAllText(tmp, text);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
