using System.CommandLine;
using System.Diagnostics;
using DeepSharp.Cli.Commands;
using static DeepSharp.Cli.Tests.HostileFiles;

namespace DeepSharp.Cli.Tests;

/// <summary>
/// A seeded fuzzer at the command line (issue 25): each case builds a real data folder and mutates it (hostile file and
/// folder names, symbolic links to '/', '.', '..', a file or nowhere, empty and fake images), then runs one command
/// (predict, augment-preview, extract-features on an ONNX base, visualize activations/filters, export of a mutated
/// .keras file, make-dataset, and a few tiny one-epoch train runs) with its flags mutated (0, −1, 2³¹, 10⁹, NaN, ±inf,
/// text, outputs inside the input, on a folder, under a file, of the wrong kind; class lists with hostile names). The
/// property: the command returns 0, 1 or 2; a failure is exactly one `error:` line that is not an internal error and
/// carries no stack trace; a CSV written reads back strictly; each case ends within its time bound. Commands run in
/// this process (CliRunner, as Program does), so a case costs milliseconds, not a process start.
/// </summary>
[Collection("in-process CLI")]   // Console and the library's statics are shared: one case at a time
public class CliFuzzTests
{
    private const int Seed = 25, Cases = 60, TrainCases = 4;

    private static readonly string[] Numbers = ["0", "-1", "1", "2", "3", "2147483647", "2147483648", "1000000000", "NaN", "Infinity", "-Infinity", "1e30", "abc", ""];
    private static readonly string[] Names = ["=SUM(A1)", "+1", "-o", "@x", "\tt", "c\rr", "q\"u,o", "é ü", "..x", " lead", new string('n', 200)];
    private static readonly string[] ClassLists = ["0=a,9=b", "0=a", "10=x", "=", "0=a,0=b", "0=a,1=a", "0=../up", "0=/abs", "x=y", "0=a,,9=b", "0=.", "-1=a"];

    [Fact]
    public void CommandsOnMutatedFoldersAndFlags_EndWithAResultOrOneClearError()
    {
        var random = new Random(Seed);
        using var dir = new TempFolder();
        var model = new Layers.Input([12, 12, 3]);
        new Models.Model(model, new Layers.Dense(2, activation: "softmax").Call(new Layers.Flatten().Call(new Layers.Conv2D(2, (3, 3), name: "conv").Call(model))))
            .Save(dir.File("m.keras"));
        OnnxFile(dir.File("base.onnx"), [Node("Relu", "r", ["x"], "y")], "y", 12, 12);
        var failures = new List<string>();
        var stdout = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            for (int i = 0; i < Cases + TrainCases; i++)
            {
                string data = Path.Combine(dir.Path, $"case{i}");
                MutatedFolder(data, random);
                var args = i < Cases ? Arguments(random, data, dir) : TrainArguments(random, data, dir);
                var err = new StringWriter();
                var watch = Stopwatch.StartNew();
                int code = CliRunner.Run(Root(), args, err);
                watch.Stop();
                string problem = Problem(code, err.ToString(), watch.Elapsed, args);
                if (problem.Length > 0) failures.Add($"case {i} (seed {Seed}): deepsharp {string.Join(' ', args.Select(Quote))}\n  {problem}");
            }
        }
        finally { Console.SetOut(stdout); }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static RootCommand Root() => new("deepsharp")
    {
        TrainCommand.Create(), AugmentPreviewCommand.Create(), VisualizeCommand.Create(), PredictCommand.Create(), ExtractFeaturesCommand.Create(),
        ExportCommand.Create(), MakeDatasetCommand.Create(),
    };

    private static string Problem(int code, string stderr, TimeSpan elapsed, string[] args)
    {
        if (code is not (0 or 1 or 2)) return $"exit code {code}: {stderr}";
        if (elapsed > TimeSpan.FromSeconds(20)) return $"took {elapsed.TotalSeconds:F0} s";
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("Run ", StringComparison.Ordinal)).ToArray();
        if (code != 0)
        {
            if (lines.Length != 1 || !lines[0].StartsWith("error: ", StringComparison.Ordinal)) return $"not one error line: {stderr}";
            if (lines[0].Contains("internal error", StringComparison.Ordinal)) return lines[0];
            // It names the flag or the file (a raw "Could not find a part of the path" or "InternalError" does not say which input).
            bool namesPath = args.Any(a => a.Contains('/') && lines[0].Contains(a, StringComparison.Ordinal));
            if (!lines[0].Contains("--", StringComparison.Ordinal) && !lines[0].Contains('\'') && !namesPath || lines[0].Contains("InternalError", StringComparison.Ordinal))
                return $"names no flag or file: {lines[0]}";
        }
        if (stderr.Contains("   at ", StringComparison.Ordinal)) return $"a stack trace: {stderr}";
        int o = Array.IndexOf(args, "--output");
        if (code == 0 && o >= 0 && args[0] == "predict" && args[o + 1].EndsWith(".csv", StringComparison.Ordinal))
        {
            try { StrictCsv.Read(File.ReadAllText(args[o + 1])); }
            catch (FormatException e) { return $"the CSV does not read back: {e.Message}"; }
        }
        return "";
    }

    /// <summary>Class folders of real PNGs, then a few mutations of names and links.</summary>
    private static void MutatedFolder(string data, Random random)
    {
        Classes(data, 2, "a", "b");
        for (int m = random.Next(4); m > 0; m--)
        {
            string cls = Path.Combine(data, random.Next(2) == 0 ? "a" : "b");
            string name = Names[random.Next(Names.Length)];
            if (!Directory.Exists(cls)) continue;   // b was renamed
            switch (random.Next(7))
            {
                case 0: if (File.Exists(Path.Combine(cls, "0.png"))) File.Move(Path.Combine(cls, "0.png"), Path.Combine(cls, name + ".png"), overwrite: true); break;
                case 1: Directory.CreateSymbolicLink(Path.Combine(cls, $"link{m}-{random.Next(1000)}"), new[] { "/", ".", "..", "/nowhere" }[random.Next(4)]); break;
                case 2: File.CreateSymbolicLink(Path.Combine(cls, $"l{m}-{random.Next(1000)}.png"), new[] { "/dev/null", "/etc/hostname", "/nowhere", "1.png" }[random.Next(4)]); break;
                case 3: File.WriteAllBytes(Path.Combine(cls, $"fake{m}.jpg"), random.Next(2) == 0 ? [] : [0xFF, 0xD8, 0xFF, 0xE0, 1, 2]); break;
                case 4: if (!File.Exists(Path.Combine(data, name))) Directory.CreateDirectory(Path.Combine(data, name)); break;   // an empty class folder with a hostile name
                case 5: Directory.CreateSymbolicLink(Path.Combine(data, $"c{m}-{random.Next(1000)}"), new[] { "/", ".", "a" }[random.Next(3)]); break;
                default: if (Directory.Exists(Path.Combine(data, "b")) && !Path.Exists(Path.Combine(data, name))) Directory.Move(Path.Combine(data, "b"), Path.Combine(data, name)); break;
            }
        }
    }

    private static string[] Arguments(Random random, string data, TempFolder dir)
    {
        string image = Directory.EnumerateFiles(Path.Combine(data, "a")).FirstOrDefault(f => f.EndsWith(".png", StringComparison.Ordinal)) ?? data;
        string Output(string ext) => random.Next(6) switch
        {
            0 => Path.Combine(data, "out" + ext),                       // inside the input
            1 => data,                                                  // an existing folder
            2 => Path.Combine(image, "out" + ext),                      // under a file
            3 => Path.Combine(dir.Path, $"out{random.Next(1000)}.txt"), // the wrong kind
            _ => Path.Combine(dir.Path, $"o{random.Next(1000)}", "out" + ext),
        };
        string Number() => Numbers[random.Next(Numbers.Length)];
        string Maybe(string valid) => random.Next(3) == 0 ? Number() : valid;   // one flag in three mutated, so runs get past parsing
        var args = random.Next(7) switch
        {
            5 => new List<string> { "export", "--model", MutatedModel(random, data, dir), "--output", Output(".onnx"), "--opset", Maybe("17") },
            6 => ["make-dataset", "-o", Output(""), "--classes", random.Next(3) switch { 0 => Names[random.Next(Names.Length)] + "=x", 1 => "0=a,9=b", _ => ClassLists[random.Next(ClassLists.Length)] },
                "--train", Maybe("2"), "--validation", Maybe("1"), "--test", Maybe("1"), "--size", Maybe("28")],
            0 => new List<string> { "predict", "--model", dir.File("m.keras"), "--data", data, "--output", Output(".csv"), "--batch-size", Number() },
            1 => ["predict", "--model", dir.File("m.keras"), "--image", image, "--rescale", Number()],
            2 => ["augment-preview", "--data", data, "-o", Output(".png"), "--versions", Number(), "--images", Number(), "--target-size", Number(), "--zoom-range", Number()],
            3 => ["extract-features", "--base", dir.File("base.onnx"), "--data", data, "--output", Output(".npz"), "--batch-size", Number()],
            _ => random.Next(2) == 0
                ? ["visualize", "activations", "--model", dir.File("m.keras"), "--image", image, "-o", Output(""), "--rescale", Number()]
                : ["visualize", "filters", "--model", dir.File("m.keras"), "--layer", "conv", "-o", Output(""), "--steps", Number(), "--count", Number()],
        };
        if (args[0] == "export" && random.Next(2) == 0) args.Add("--channels-first");
        return Capped(args);
    }

    /// <summary>A tiny training run (one epoch at most, images of at most 48×48) on the mutated folder, flags mutated.</summary>
    private static string[] TrainArguments(Random random, string data, TempFolder dir)
    {
        string Maybe(string valid) => random.Next(5) == 0 ? Numbers[random.Next(Numbers.Length)] : valid;
        string output = random.Next(5) == 0 ? Path.Combine(data, "run") : Path.Combine(dir.Path, $"run{random.Next(1000)}");
        var args = new List<string> { "train", "--data", data, "-o", output, "--epochs", Maybe("1"), "--target-size", Maybe("48"),
            "--batch-size", Maybe("2"), "--validation-split", Maybe("0.5"), "--seed", "1" };
        if (random.Next(2) == 0) args.Add("--augment");
        if (random.Next(2) == 0) args.Add("--skip-bad-files");
        return Capped(args);
    }

    /// <summary>A copy of the test's model, cut short, with bytes changed, empty, or intact.</summary>
    private static string MutatedModel(Random random, string data, TempFolder dir)
    {
        byte[] bytes = File.ReadAllBytes(dir.File("m.keras"));
        switch (random.Next(4))
        {
            case 0: bytes = bytes[..random.Next(bytes.Length)]; break;
            case 1: for (int k = random.Next(1, 20); k > 0; k--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256); break;
            case 2: bytes = []; break;
        }
        string path = data + "-model.keras";
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Numbers that happen to be large but valid are capped where a valid run would be long: a fuzz case, not a benchmark.</summary>
    private static string[] Capped(List<string> args)
    {
        for (int k = 0; k < args.Count - 1; k++)
            if (args[k] is "--steps" or "--versions" or "--images" or "--count" && long.TryParse(args[k + 1], out long v) && v is > 5 and < 100_000) args[k + 1] = "3";
            else if (args[k] is "--train" or "--validation" or "--test" && long.TryParse(args[k + 1], out long n) && n is > 3 and < 100_000) args[k + 1] = "2";
            else if (args[k] == "--epochs" && long.TryParse(args[k + 1], out long e) && e is > 1 and <= int.MaxValue) args[k + 1] = "1";
            else if (args[k] == "--size" && long.TryParse(args[k + 1], out long z) && z is > 48 and <= 100_000) args[k + 1] = "28";
            else if (args[k] == "--target-size" && long.TryParse(args[k + 1], out long t) && t is > 64 and <= 4096) args[k + 1] = args[0] == "train" ? "48" : "24";
        return args.ToArray();
    }

    private static string Quote(string a) => a.Length == 0 || a.Any(c => c is ' ' or '\t' or '\r' or '"') ? $"'{a.Replace("\r", "\\r").Replace("\t", "\\t")}'" : a;
}
