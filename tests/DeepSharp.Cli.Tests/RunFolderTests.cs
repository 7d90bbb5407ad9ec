using System.Security.Cryptography;
using static DeepSharp.Cli.Tests.HostileFiles;

namespace DeepSharp.Cli.Tests;

/// <summary>
/// Issue 25: the run folder as one unit (a train killed at each step of its save), one folder walker for every command
/// (real symbolic links), and CSV that a strict reader reads back and no spreadsheet runs as a formula.
/// </summary>
public class RunFolderTests
{
    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    private static Cli.Result Train(string cwd, string data, string output, int? killAfterStep = null) =>
        Cli.RunWith(cwd, killAfterStep is { } k ? new Dictionary<string, string> { ["DEEPSHARP_TEST_KILL_AFTER_SAVE_STEP"] = k.ToString() } : null,
            "train", "--data", data, "--validation-split", "0.5", "--target-size", "40", "--epochs", "1", "--batch-size", "2", "--seed", "1", "--output", output);

    [Fact]
    public void ATrainKilledAtAnyStepOfItsSave_NeverLeavesAModelBesideAnotherRunsClassNames()
    {
        using var dir = new TempFolder();
        string first = Classes(dir.File("first"), 2, "a", "b");
        string second = Classes(dir.File("second"), 2, "cat", "dog");
        string run = dir.File("run");
        Assert.True(Train(dir.Path, first, run).ExitCode == 0, "the first run failed");
        string oldModel = Hash(Path.Combine(run, "model.keras"));
        Png(dir.File("x.png"), 40, 40);
        // The save's steps: 1 begun, 2 model.keras, 3 history.png, 4 class_names.txt (then the manifest).
        // Every step for a folder with a manifest; for one written before the manifest existed, the kill after the new model.
        foreach (var (legacy, step) in new[] { (false, 1), (false, 2), (false, 3), (false, 4), (true, 2) })
            {
                string copy = dir.File($"run-{legacy}-{step}");
                CopyFolder(run, copy);
                if (legacy) File.Delete(Path.Combine(copy, "deepsharp-run.json"));   // a folder written before the manifest existed
                var killed = Train(dir.Path, second, copy, step);
                Assert.True(killed.ExitCode != 0, $"step {step}: the kill hook did not fire");
                var p = Cli.Run(dir.Path, "predict", "--model", Path.Combine(copy, "model.keras"), "--image", dir.File("x.png"));
                bool oldModelThere = Hash(Path.Combine(copy, "model.keras")) == oldModel;
                if (oldModelThere && !legacy) Assert.True(p.ExitCode == 0, $"step {step}: the old, complete run should still predict: {p.Stderr}");
                if (p.ExitCode == 0)
                {
                    // Only the old model may be used, and then only with its own class names.
                    Assert.True(oldModelThere, $"step {step} (legacy {legacy}): the new model was used: {p.Stdout}");
                    Assert.Matches(@": (a|b) ", p.Stdout);
                }
                else
                    Cli.AssertOneLineError(p, 1, "class_names.txt", "deepsharp-run.json");
            }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }

    /// <summary>A small real classifier of 40×40 RGB images (Flatten, Dense softmax), saved as .keras.</summary>
    private static string TinyModel(string path)
    {
        var input = new Layers.Input([40, 40, 3]);
        var output = new Layers.Dense(2, activation: "softmax").Call(new Layers.Flatten().Call(input));
        new Models.Model(input, output).Save(path);
        return path;
    }

    [Fact]
    public void LinkedFolders_AreNotFollowedByPredictOrAugmentPreview_AndTrainRefusesAClassLinkedOutside()
    {
        using var dir = new TempFolder();
        string model = TinyModel(dir.File("m.keras"));
        string data = dir.File("d");
        Png(Path.Combine(data, "cls", "only.png"), 40, 40);
        Directory.CreateSymbolicLink(Path.Combine(data, "cls", "root"), "/");   // would walk into /proc
        Directory.CreateSymbolicLink(Path.Combine(data, "a"), ".");             // ln -s . d/a: the same image again and again
        Directory.CreateSymbolicLink(Path.Combine(data, "cls", "up"), "..");

        var p = Cli.Run(dir.Path, "predict", "--model", model, "--data", data, "--output", dir.File("p.csv"));
        Assert.True(p.ExitCode == 0, p.Stderr);
        Assert.Equal(2, StrictCsv.Read(File.ReadAllText(dir.File("p.csv"))).Count);   // the header and one image
        var grid = Cli.Run(dir.Path, "augment-preview", "--data", data, "--images", "5", "--versions", "1", "-o", dir.File("g.png"));
        Assert.True(grid.ExitCode == 0, grid.Stderr);
        Assert.Contains("1 images", grid.Stdout);

        // With --follow-links each real folder is listed once: self- and parent-links end.
        string loops = dir.File("loops");
        Png(Path.Combine(loops, "cls", "only.png"), 40, 40);
        Directory.CreateSymbolicLink(Path.Combine(loops, "cls", "self"), ".");
        Directory.CreateSymbolicLink(Path.Combine(loops, "cls", "up"), "..");
        var followed = Cli.Run(dir.Path, "predict", "--model", model, "--data", loops, "--follow-links", "--output", dir.File("p2.csv"));
        Assert.True(followed.ExitCode == 0, followed.Stderr);
        Assert.Equal(2, StrictCsv.Read(File.ReadAllText(dir.File("p2.csv"))).Count);

        string ds = dir.File("ds");
        Classes(ds, 2, "a");
        Directory.CreateSymbolicLink(Path.Combine(ds, "b"), "/");
        var t = Train(dir.Path, ds, dir.File("run"));
        Cli.AssertOneLineError(t, 1, "b' is a link to '/'", "--follow-links");
        Assert.False(File.Exists(Path.Combine(dir.File("run"), "model.keras")));
    }

    [Fact]
    public void PredictionsCsv_ReadsBackStrictly_AndHoldsNoFormula()
    {
        using var dir = new TempFolder();
        // A data folder whose name is a formula, so every file cell starts with '='; names with CR, quotes and commas.
        string[] names = ["=HYPERLINK(\"x\").png", "+1.png", "-2.png", "@SUM(A1).png", "\ttab.png", "cr\rin-name.png", "q\"uote,comma.png", "plain.png"];
        foreach (var n in names) Png(Path.Combine(dir.File("=d"), n), 40, 40, seed: n.Length);
        string model = TinyModel(dir.File("m.keras"));
        var r = Cli.Run(dir.Path, "predict", "--model", model, "--data", "=d", "--output", dir.File("p.csv"), "--class-names", "=cmd|' /C calc'!A0,-x");
        Assert.True(r.ExitCode == 0, r.Stderr);

        var rows = StrictCsv.Read(File.ReadAllText(dir.File("p.csv")));
        Assert.Equal(["file", "p_=cmd|' /C calc'!A0", "p_-x", "predicted"], rows[0]);
        Assert.Equal(names.Length + 1, rows.Count);
        foreach (var row in rows.Skip(1))
        {
            foreach (var cell in row)
                Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r', $"cell '{cell}' would run as a formula");
            Assert.StartsWith("'=d/", row[0]);
            Assert.Contains(row[3], new[] { "'=cmd|' /C calc'!A0", "'-x" });
        }
        var files = rows.Skip(1).Select(row => row[0]["'=d/".Length..]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), files);
    }
}
