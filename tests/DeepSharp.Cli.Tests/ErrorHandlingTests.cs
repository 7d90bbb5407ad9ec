using System.IO.Compression;
using System.Security.Cryptography;

namespace DeepSharp.Cli.Tests;

/// <summary>
/// Issue 10's CLI cases: every failure is one line naming the flag or file, exit code 1 (2 for usage errors),
/// no stack trace unless --verbose, and nothing existing is overwritten or touched by a run that cannot work.
/// </summary>
public class ErrorHandlingTests
{
    /// <summary>A tiny folder dataset in the chapter layout (train/ and validation/, two classes of 2 PNGs).</summary>
    private static string MakeDataset(TempFolder dir)
    {
        string root = dir.File("DS");
        foreach (var split in new[] { "train", "validation" })
            foreach (var cls in new[] { "a", "b" })
            {
                string d = Path.Combine(root, split, cls);
                Directory.CreateDirectory(d);
                for (int i = 0; i < 2; i++)
                {
                    var img = new Tensor(40, 40, 3);
                    img.Span.Fill(cls == "a" ? 30 : 220);
                    Vision.ImageIO.SavePng(img, Path.Combine(d, $"{cls}.{i}.png"));
                }
            }
        return root;
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void TrainWithEpochsBelowOne_IsAUsageError_AndLeavesTheOldModelUntouched(string epochs)
    {
        using var dir = new TempFolder();
        string ds = MakeDataset(dir), output = dir.File("OUT");
        Directory.CreateDirectory(output);
        File.WriteAllBytes(Path.Combine(output, "model.keras"), [1, 2, 3, 4]);
        string before = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(output, "model.keras"))));

        Cli.AssertOneLineError(Cli.Run(dir.Path, "train", "--data", ds, "--epochs", epochs, "--output", output), 2, "--epochs", "at least 1");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "train", "--data", ds, "--epochs", epochs), 2, "--epochs");
        Assert.Equal(before, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(output, "model.keras")))));
    }

    [Fact]
    public void TrainWithOutputThatIsAFile_FailsBeforeTraining()
    {
        using var dir = new TempFolder();
        string ds = MakeDataset(dir), output = dir.File("afile");
        File.WriteAllText(output, "keep");
        var r = Cli.Run(dir.Path, "train", "--data", ds, "--epochs", "1", "--target-size", "40", "--output", output);
        Cli.AssertOneLineError(r, 2, "--output", "afile");
        Assert.DoesNotContain("Epoch 1", r.Stdout);
        Assert.Equal("keep", File.ReadAllText(output));
    }

    [Fact]
    public void TrainToAFolderWithAStaleTemporaryFile_SavesAndRemovesIt()
    {
        using var dir = new TempFolder();
        string ds = MakeDataset(dir), output = dir.File("OUT");
        Directory.CreateDirectory(output);
        string stale = Path.Combine(output, "model.keras.tmp-0badc0de");
        File.WriteAllBytes(stale, new byte[7000]);
        var r = Cli.Run(dir.Path, "train", "--data", ds, "--epochs", "1", "--target-size", "40", "--output", output, "--seed", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("val loss:", r.Stdout);
        Assert.True(File.Exists(Path.Combine(output, "model.keras")));
        Assert.False(File.Exists(stale));
        // The names a fresh Keras session gives, although train builds a throw-away model first (issue 26).
        var saved = DeepSharp.Models.Model.Load(Path.Combine(output, "model.keras"));
        Assert.Equal("sequential", saved.Name);
        Assert.Equal(["conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1"], saved.Layers.Take(4).Select(l => l.Name));
    }

    [Fact]
    public void MakeDatasetWithPathTraversalInAClassName_IsRefused_AndWritesNothing()
    {
        using var dir = new TempFolder();
        string victim = dir.File("victim");
        Directory.CreateDirectory(victim);
        File.WriteAllText(Path.Combine(victim, "keep"), "precious");
        string output = Path.Combine(dir.Path, "x", "D");
        var r = Cli.Run(dir.Path, "make-dataset", "--output", output, "--classes", "0=../../victim/keep,9=b", "--data", dir.File("nowhere"));
        Cli.AssertOneLineError(r, 2, "--classes", "../../victim/keep");
        Assert.Equal("precious", File.ReadAllText(Path.Combine(victim, "keep")));
        Assert.False(Directory.Exists(output));
        Cli.AssertOneLineError(Cli.Run(dir.Path, "make-dataset", "--output", output, "--classes", "0=a,9=A"), 2, "--classes", "2 times");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "make-dataset", "--output", output, "--classes", "0=..,9=b"), 2, "--classes");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "make-dataset", "--output", output, "--size", "100000"), 2, "--size", "4096");
    }

    [Fact]
    public void MnistDataErrors_AreOneLine_WithTheFileName()
    {
        using var dir = new TempFolder();
        string empty = dir.File("empty.npz"), text = dir.File("text.npz");
        File.WriteAllBytes(empty, []);
        File.WriteAllText(text, "not a zip");
        string missing = dir.File("missing.npz");
        using (var zip = ZipFile.Open(missing, ZipArchiveMode.Create)) zip.CreateEntry("x_train.npy");
        foreach (var f in new[] { empty, text, missing })
            Cli.AssertOneLineError(Cli.Run(dir.Path, "mnist", "--data", f, "--epochs", "1", "--progress", "none"), 1, f);
    }

    [Fact]
    public void UnknownFlag_IsAUsageError()
    {
        using var dir = new TempFolder();
        var r = Cli.Run(dir.Path, "train", "--data", dir.Path, "--bogus");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--bogus", r.Stderr);
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        using var dir = new TempFolder();
        string ds = MakeDataset(dir);
        Cli.AssertOneLineError(Cli.Run(dir.Path, "train", "--data", ds, "--target-size", "0"), 2, "--target-size");
        var loud = Cli.Run(dir.Path, "train", "--data", ds, "--target-size", "0", "--verbose");
        Assert.Equal(2, loud.ExitCode);
        Assert.Contains("   at ", loud.Stderr);
    }
}
