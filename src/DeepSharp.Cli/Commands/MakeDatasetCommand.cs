using System.CommandLine;
using DeepSharp.Data;
using DeepSharp.Vision;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// `deepsharp make-dataset`: writes a real JPEG folder dataset in the Kaggle cats-vs-dogs layout
/// (train/validation/test, one sub-folder per class) from two or more Fashion-MNIST classes, upscaled to RGB.
/// No cats-and-dogs photos are available offline, so the chapter's programs run on this instead.
/// </summary>
internal static class MakeDatasetCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "folder to create (must be empty or absent)", Required = true };
        var classes = new Option<string>("--classes") { Description = "Fashion-MNIST classes as label=name pairs", DefaultValueFactory = _ => "0=tshirts,9=boots" };
        var train = new Option<int>("--train") { Description = "images per class in train/", DefaultValueFactory = _ => 1000 };
        var validation = new Option<int>("--validation") { Description = "images per class in validation/", DefaultValueFactory = _ => 500 };
        var test = new Option<int>("--test") { Description = "images per class in test/", DefaultValueFactory = _ => 500 };
        var size = new Option<int>("--size") { Description = "side of the square RGB images", DefaultValueFactory = _ => 150 };
        var seed = new Option<int>("--seed") { Description = "which images are picked", DefaultValueFactory = _ => 42 };
        var data = new Option<string?>("--data") { Description = "Fashion-MNIST folder (default: the usual places)" };
        var cmd = new Command("make-dataset", "Write a JPEG folder dataset (cats-vs-dogs layout) from Fashion-MNIST classes.")
            { output, classes, train, validation, test, size, seed, data };
        cmd.SetAction(r =>
        {
            // Every flag is checked before the data is read or anything is written.
            var pairs = ParseClasses(r.GetValue(classes)!);
            UsageException.RequireRange("--train", r.GetValue(train), 0, int.MaxValue);
            UsageException.RequireRange("--validation", r.GetValue(validation), 0, int.MaxValue);
            UsageException.RequireRange("--test", r.GetValue(test), 0, int.MaxValue);
            UsageException.RequireRange("--size", r.GetValue(size), 1, DatasetMaker.MaxSize, "The chapter uses 150.");
            if (File.Exists(r.GetValue(output)))
                throw new UsageException("--output", $"'{r.GetValue(output)}' is an existing file, not a folder; nothing was written.");
            var (trainSet, _) = FashionMnist.Load(r.GetValue(data));
            int written = DatasetMaker.WriteFolders(trainSet.Images, trainSet.Labels, pairs.Select(p => p.Name).ToArray(),
                r.GetValue(output)!, r.GetValue(train), r.GetValue(validation), r.GetValue(test), r.GetValue(size),
                r.GetValue(seed), classLabels: pairs.Select(p => p.Label).ToArray());
            Console.WriteLine($"Wrote {written:N0} JPEG files to {Path.GetFullPath(r.GetValue(output)!)} (train/, validation/, test/; classes {string.Join(", ", pairs.Select(p => p.Name))}).");
            return 0;
        });
        return cmd;
    }

    private static (int Label, string Name)[] ParseClasses(string text)
    {
        var result = new List<(int, string)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=');
            if (kv.Length != 2 || !int.TryParse(kv[0], out int label) || label < 0 || label > 9 || kv[1].Length == 0)
                throw new UsageException("--classes", $"'{part}' is not label=name with a Fashion-MNIST label 0..9 ({string.Join(", ", FashionMnist.ClassNames.Select((n, i) => $"{i}={n}"))}).");
            result.Add((label, kv[1]));
        }
        if (result.Count < 2) throw new UsageException("--classes", "needs at least two classes, e.g. 0=tshirts,9=boots.");
        if (result.Select(p => p.Item1).Distinct().Count() != result.Count)
            throw new UsageException("--classes", $"'{text}' gives a label twice; each Fashion-MNIST label can be one class only.");
        try { DatasetMaker.CheckClassNames(result.Select(p => p.Item2).ToArray()); }
        catch (ArgumentException e) { throw new UsageException("--classes", e.Message.Replace(" (Parameter 'classNames')", "")); }
        return result.ToArray();
    }
}
