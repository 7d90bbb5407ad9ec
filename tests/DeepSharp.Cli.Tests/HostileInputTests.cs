using System.Security.Cryptography;
using DeepSharp.Layers;
using DeepSharp.Models;
using static DeepSharp.Cli.Tests.HostileFiles;

namespace DeepSharp.Cli.Tests;

/// <summary>
/// Issue 25's probe, as regression tests on real files: deep graphs, unchecked sizes, NaN, the output path, messages,
/// augment-preview's writes and nested ONNX subgraphs. Each case ends with a correct result or one `error:` line naming
/// the flag, file or node, in seconds.
/// </summary>
public class HostileInputTests
{
    private const int Deep = 30_000;   // the probe's depth: a recursive graph walk overflowed the stack from about here

    [Fact]
    public void ADeepOnnxBase_RunsThroughExtractFeatures()
    {
        using var dir = new TempFolder();
        string data = Classes(dir.File("d"), 1, "a", "b");
        OnnxFile(dir.File("deep.onnx"), Enumerable.Range(0, Deep).Select(i => Node("Relu", $"r{i}", [i == 0 ? "x" : $"t{i - 1}"], $"t{i}")), $"t{Deep - 1}", 6, 6);
        var r = Cli.Run(dir.Path, "extract-features", "--base", dir.File("deep.onnx"), "--data", data, "--output", dir.File("f.npz"), "--batch-size", "2");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("features (2, 6, 6, 3)", r.Stdout);
    }

    /// <summary>
    /// A .keras file of 10,000 layers loads and predicts in seconds (its HDF5 groups were looked up one by one, which
    /// made 30,000 layers take minutes). The stack depth itself is covered by the 30,000-node ONNX case above and by
    /// DeepGraphTests' 100,000 layers; writing 30,000 layers' HDF5 groups alone takes about 12 s here.
    /// </summary>
    [Fact]
    public void ADeepKerasModel_RunsThroughPredict()
    {
        using var dir = new TempFolder();
        var input = new Input([6, 6, 3]);
        SymbolicTensor x = input;
        for (int i = 0; i < 10_000; i++) x = new Activation("relu", name: $"a{i}").Call(x);
        x = new Dense(2, activation: "softmax", name: "out").Call(new Flatten(name: "flat").Call(x));
        new Model(input, x).Save(dir.File("deep.keras"));
        Png(dir.File("x.png"));
        var r = Cli.Run(dir.Path, "predict", "--model", dir.File("deep.keras"), "--image", dir.File("x.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("class_", r.Stdout);
    }

    [Theory]
    [InlineData("--versions", "100000")]
    [InlineData("--target-size", "20000")]
    [InlineData("--images", "0")]
    [InlineData("--rotation-range", "NaN")]
    [InlineData("--cval", "Infinity")]
    public void AugmentPreviewSizesAndNumbers_AreCheckedFirst(string flag, string value)
    {
        using var dir = new TempFolder();
        string data = Classes(dir.File("d"), 1, "a");
        var r = Cli.Run(dir.Path, "augment-preview", "--data", data, "-o", dir.File("g.png"), flag, value);
        Cli.AssertOneLineError(r, 2, flag, value);
        Assert.False(File.Exists(dir.File("g.png")));
    }

    [Fact]
    public void AugmentPreview_NeverWritesOverAnInputOrUnderAWrongName()
    {
        using var dir = new TempFolder();
        string data = Classes(dir.File("d"), 1, "a");
        string image = Path.Combine(data, "a", "0.png");
        string before = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(image)));
        Cli.AssertOneLineError(Cli.Run(dir.Path, "augment-preview", "--data", data, "-o", image), 2, "--output", "--data");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "augment-preview", "--data", data, "-o", Path.Combine(data, "new.png")), 2, "--output", "inside");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "augment-preview", "--data", data, "-o", dir.File("x.jpg")), 2, "--output", ".png", "PNG");
        Directory.CreateDirectory(dir.File("out"));
        Cli.AssertOneLineError(Cli.Run(dir.Path, "augment-preview", "--data", data, "-o", dir.File("out")), 2, "--output", "is a folder");
        Assert.Equal(before, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(image))));
        Assert.False(File.Exists(dir.File("x.jpg")));
        var ok = Cli.Run(dir.Path, "augment-preview", "--data", data, "-o", dir.File("out/sub/g.png"), "--versions", "2");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.True(File.Exists(dir.File("out/sub/g.png")));
    }

    [Fact]
    public void HugeBatchesAndInputs_AreRefusedBeforeAllocating()
    {
        using var dir = new TempFolder();
        string data = Classes(dir.File("d"), 1, "a", "b");
        OnnxFile(dir.File("small.onnx"), [Node("Relu", "r", ["x"], "y")], "y", 32, 32);
        OnnxFile(dir.File("big.onnx"), [Node("Relu", "r", ["x"], "y")], "y", 20_000, 20_000);
        Cli.AssertOneLineError(Cli.Run(dir.Path, "extract-features", "--base", dir.File("small.onnx"), "--data", data, "--output", dir.File("f.npz"),
            "--batch-size", "10000000"), 2, "--batch-size", "10,000,000");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "extract-features", "--base", dir.File("big.onnx"), "--data", data, "--output", dir.File("f.npz")),
            2, "--batch-size", "20000×20000");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "visualize", "filters", "--base", dir.File("small.onnx"), "--layer", "r", "--steps", "2000000000",
            "-o", dir.File("vis")), 2, "--steps", "2000000000");
        Assert.False(File.Exists(dir.File("f.npz")));
    }

    [Fact]
    public void ANegativeBatchNormVariance_IsReportedNotTurnedIntoNaNFeatures()
    {
        using var dir = new TempFolder();
        string data = Classes(dir.File("d"), 1, "a", "b");
        OnnxFile(dir.File("bn.onnx"), [Node("BatchNormalization", "bn", ["x", "g", "b", "m", "v"], "y")], "y", 8, 8,
            [Floats("g", 1, 1, 1), Floats("b", 0, 0, 0), Floats("m", 0, 0, 0), Floats("v", 1, -1, 1)]);
        var r = Cli.Run(dir.Path, "extract-features", "--base", dir.File("bn.onnx"), "--data", data, "--output", dir.File("f.npz"));
        Cli.AssertOneLineError(r, 1, "bn.onnx", "'bn' (BatchNormalization)", "variance", "-1");
        Assert.False(File.Exists(dir.File("f.npz")));
    }

    [Fact]
    public void NanFloatFlags_AreRefused()
    {
        using var dir = new TempFolder();
        Png(dir.File("x.png"));
        Cli.AssertOneLineError(Cli.Run(dir.Path, "predict", "--model", dir.File("m.keras"), "--image", dir.File("x.png"), "--rescale", "NaN"), 2, "--rescale", "NaN");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "visualize", "activations", "--model", dir.File("m.keras"), "--image", dir.File("x.png"),
            "-o", dir.File("v"), "--rescale", "NaN"), 2, "--rescale", "NaN");
        // Every float flag of every command (CliRunner checks them all before a command runs), float overflow included.
        Cli.AssertOneLineError(Cli.Run(dir.Path, "train", "--data", dir.Path, "--validation-split", "NaN"), 2, "--validation-split", "NaN");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "augment-preview", "--data", dir.Path, "--zoom-range", "1e39"), 2, "--zoom-range", "1e39");
    }

    [Fact]
    public void PredictChecksItsOutputBeforeAnyWork()
    {
        using var dir = new TempFolder();
        string data = Classes(dir.File("d"), 1, "a");
        // The model does not exist: an error about --output proves it was checked first.
        Cli.AssertOneLineError(Cli.Run(dir.Path, "predict", "--model", dir.File("none.keras"), "--data", data, "--output", Path.Combine(data, "p.csv")),
            2, "--output", "inside the --data folder");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "predict", "--model", dir.File("none.keras"), "--data", data, "--output", dir.File("p.txt")), 2, "--output", ".csv");
        File.WriteAllText(dir.File("file"), "");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "predict", "--model", dir.File("none.keras"), "--data", data, "--output", dir.File("file/p.csv")), 2, "--output", "is a file");
    }

    [Fact]
    public void NestedSubgraphsInAnAttribute_AreRefusedBeforeParsing()
    {
        using var dir = new TempFolder();
        string data = Classes(dir.File("d"), 1, "a", "b");
        OnnxFile(dir.File("ifs.onnx"), [ReluWithNestedIfs(20)], "y", 8, 8);
        var r = Cli.Run(dir.Path, "extract-features", "--base", dir.File("ifs.onnx"), "--data", data, "--output", dir.File("f.npz"));
        Cli.AssertOneLineError(r, 1, "ifs.onnx", "'relu' (Relu)", "'junk'", "holding a graph");
    }

    [Fact]
    public void MessagesSayWhatHappened()
    {
        using var dir = new TempFolder();
        string data = Classes(dir.File("d"), 1, "a", "b");
        // 4096 is not too small: the convnet's Dense kernel would not fit one array.
        var r = Cli.Run(dir.Path, "train", "--data", data, "--validation-split", "0.5", "--target-size", "4096", "--epochs", "1");
        Cli.AssertOneLineError(r, 2, "--target-size", "4096 does not fit");
        Assert.DoesNotContain("too small", r.Stderr);
        // --verbose, which errors recommend, is accepted by every subcommand, nested ones included.
        foreach (var sub in new[] { "activations", "gradcam" })
        {
            var v = Cli.Run(dir.Path, "visualize", sub, "--model", dir.File("none.keras"), "--image", dir.File("none.png"), "-o", dir.File("v"), "--verbose");
            Assert.Equal(1, v.ExitCode);
            Assert.StartsWith("error: --model", v.Stderr);
            Assert.DoesNotContain("Unrecognized", v.Stderr);
        }
    }

    [Fact]
    public void FailedVisualize_LeavesNoEmptyOutputFolder()
    {
        using var dir = new TempFolder();
        Png(dir.File("x.png"));
        File.WriteAllText(dir.File("bad.keras"), "not a zip");
        // Each subcommand fails after its --output check (a model that does not load); the folders it made are gone again.
        foreach (var args in new[]
        {
            new[] { "activations", "--model", dir.File("bad.keras"), "--image", dir.File("x.png") },
            ["gradcam", "--model", dir.File("bad.keras"), "--image", dir.File("x.png")],
            ["filters", "--model", dir.File("bad.keras"), "--layer", "conv", "--steps", "1"],
        })
        {
            var r = Cli.Run(dir.Path, ["visualize", .. args, "-o", dir.File("out/nested")]);
            Cli.AssertOneLineError(r, 1, "bad.keras");
            Assert.False(Directory.Exists(dir.File("out")), $"visualize {args[0]} left '{dir.File("out")}' behind");
        }
        // A folder that was there before the run stays, and so does what was in it.
        Directory.CreateDirectory(dir.File("mine"));
        File.WriteAllText(dir.File("mine/keep.txt"), "x");
        Directory.CreateDirectory(dir.File("empty"));
        Cli.AssertOneLineError(Cli.Run(dir.Path, "visualize", "activations", "--model", dir.File("bad.keras"), "--image", dir.File("x.png"), "-o", dir.File("mine")), 1, "bad.keras");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "visualize", "activations", "--model", dir.File("bad.keras"), "--image", dir.File("x.png"), "-o", dir.File("empty")), 1, "bad.keras");
        Assert.True(File.Exists(dir.File("mine/keep.txt")));
        Assert.True(Directory.Exists(dir.File("empty")));
    }

    [Fact]
    public void UnreadableImage_SaysItCannotBeRead()
    {
        using var dir = new TempFolder();
        string data = Classes(dir.File("d"), 1, "a");
        string image = Path.Combine(data, "a", "0.png");
        File.SetUnixFileMode(image, UnixFileMode.None);
        // Root reads a mode-000 file anyway; without root's read-anything capabilities the kernel refuses it for real.
        var r = Cli.RunWithPermissionsEnforced(dir.Path, "augment-preview", "--data", data, "-o", dir.File("g.png"));
        Cli.AssertOneLineError(r, 1, image, "Cannot read image", "chmod +r");
        Assert.DoesNotContain("InternalError", r.Stderr);
        Assert.False(File.Exists(dir.File("g.png")));
        // The control: the same file, readable again, gives a grid (so the error above was the permission, nothing else).
        File.SetUnixFileMode(image, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var ok = Cli.RunWithPermissionsEnforced(dir.Path, "augment-preview", "--data", data, "-o", dir.File("g.png"));
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.True(File.Exists(dir.File("g.png")));
    }
}
