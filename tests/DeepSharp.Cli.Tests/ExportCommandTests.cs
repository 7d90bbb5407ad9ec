using DeepSharp.Applications;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Onnx;

namespace DeepSharp.Cli.Tests;

/// <summary>`deepsharp export`: a saved model becomes an ONNX file that imports back to the same predictions; errors are one line.</summary>
public class ExportCommandTests
{
    [Fact]
    public void ExportWritesAnOnnxFileThatGivesTheSamePredictions()
    {
        using var dir = new TempFolder();
        var model = ChapterModels.MnistConvnet();
        model.Save(dir.File("mnist.keras"));
        var r = Cli.Run(dir.Path, "export", "--model", "mnist.keras", "--output", "mnist.onnx", "--opset", "13");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("opset 13", r.Stdout);
        Assert.Contains("(batch, 28, 28, 1) NHWC", r.Stdout);
        var back = OnnxModel.Load(dir.File("mnist.onnx"));
        var x = new Tensor(2, 28, 28, 1);
        var rnd = new System.Random(1);
        for (int i = 0; i < x.Size; i++) x.Data[i] = rnd.NextSingle();
        var expected = model.Predict(x).Span.ToArray();
        var actual = back.Predict(x).Span.ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"[{i}] {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void BadOpsetsMissingModelsAndUnexportableLayersAreOneLine()
    {
        using var dir = new TempFolder();
        Cli.AssertOneLineError(Cli.Run(dir.Path, "export", "--model", "m.keras", "--output", "m.onnx", "--opset", "12"), 2, "--opset", "13", "17");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "export", "--model", "missing.keras", "--output", "m.onnx"), 2, "--model", "missing.keras");
        var input = new Input(8, 8, 3);
        var x = new Conv2D(4, (3, 3), name: "conv").Call(input);
        x = new ReLU(threshold: 0.5, name: "thresholded").Call(x);
        new Model(input, new Flatten().Call(x)).Save(dir.File("odd.keras"));
        Cli.AssertOneLineError(Cli.Run(dir.Path, "export", "--model", "odd.keras", "--output", "odd.onnx"), 1, "'thresholded'", "ONNX");
        // The output is checked before the model is read (issue 25): the extension, and never the model itself.
        Cli.AssertOneLineError(Cli.Run(dir.Path, "export", "--model", "odd.keras", "--output", "odd.txt"), 2, "--output", ".onnx");
        Cli.AssertOneLineError(Cli.Run(dir.Path, "export", "--model", "odd.keras", "--output", dir.Path), 2, "--output", "is a folder");
        Assert.False(File.Exists(dir.File("odd.onnx")));
    }
}
