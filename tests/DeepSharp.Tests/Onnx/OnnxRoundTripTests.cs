using DeepSharp.Onnx;
using DeepSharp.Tests.Data;
using Xunit.Abstractions;

namespace DeepSharp.Tests.Onnx;

/// <summary>
/// Import → export: ONNX Runtime on the re-exported file gives what it gives on the original (ResNet18 from the NuGet
/// package) or the ONNX project's expected outputs (every node test the importer passes).
/// </summary>
[Collection(HeavyOnnxTests.Name)]
public class OnnxRoundTripTests(ITestOutputHelper output)
{
    [Fact]
    public void ResNet18ImportedAndExportedRunsAsTheOriginal()
    {
        var (net, _) = DeepSharp.Applications.ResNet18Files.Find();
        var model = OnnxModel.Load(net);
        using var dir = new TempFolder();
        string path = dir.File("resnet18_again.onnx");
        model.SaveOnnx(path, channelsFirst: true);   // NCHW in and out, as the original
        OnnxExportCheck.Checker(path);
        var x = OnnxExportCheck.Random(1, -2f, 2f, 1, 3, 224, 224);
        var (expected, shape) = OnnxExportCheck.Run(net, x);
        var (again, againShape) = OnnxExportCheck.Run(path, x);
        Assert.Equal(shape, againShape);   // (1, 512, 1, 1)
        double worst = OnnxExportCheck.AssertClose(expected, again, 1e-5, "ResNet18.onnx imported and exported");
        output.WriteLine($"ResNet18: worst relative difference original vs re-exported in ONNX Runtime {worst:g3}");
    }

    [Fact]
    public void NodeTestsImportedAndExportedGiveTheExpectedOutputs()
    {
        // Every case the importer passes (OnnxNodeConformanceTests.Supported), exported again and run in ONNX Runtime;
        // onnx.checker then judges all the files in one run.
        using var tmp = new TempFolder();
        var files = new List<string>();
        var cases = OnnxNodeConformanceTests.Supported().Cast<object[]>().Select(row => (string)row[0]).ToList();
        Assert.NotEmpty(cases);
        foreach (var name in cases)
        {
            string dir = Path.Combine(OnnxNodeConformanceTests.Root, name);
            var original = OnnxFile.Read(Path.Combine(dir, "model.onnx"));
            foreach (var set in Directory.GetDirectories(dir, "test_data_set_*").Order())
            {
                var inputs = Directory.GetFiles(set, "input_*.pb").Order().Select(OnnxFile.ReadTensor).ToList();
                var constants = new Dictionary<string, OnnxConstant>();
                for (int i = 1; i < inputs.Count; i++) constants[original.Graph.Input[i].Name] = inputs[i] with { Name = original.Graph.Input[i].Name };
                var x = inputs[0];
                for (int o = 0; o < original.Graph.Output.Count; o++)
                {
                    var (imported, channelsLast) = OnnxImporter.LoadWithLayout(original, name, x.Dims[1..].Select(d => (int)d).ToArray(),
                        original.Graph.Output[o].Name, constants);
                    string path = tmp.File($"{name}_{Path.GetFileName(set)}_{o}.onnx");
                    imported.SaveOnnx(path);
                    files.Add(path);
                    var input = OnnxNodeConformanceTests.ToDeepSharp(x, x.Dims.Length == 4);
                    var (y, _) = OnnxExportCheck.Run(path, input);
                    var expected = OnnxFile.ReadTensor(Path.Combine(set, $"output_{o}.pb"));
                    var want = OnnxNodeConformanceTests.ToDeepSharp(expected, channelsLast && expected.Dims.Length == 4);
                    Assert.Equal(want.Size, y.Length);
                    for (int i = 0; i < want.Size; i++)
                    {
                        float e = want.Data[i], a = y[i];
                        Assert.True(Math.Abs(a - e) <= 1e-5f + 1e-3f * Math.Abs(e), $"{name} output {o} element {i}: {a} instead of {e} after import and export");
                    }
                }
            }
        }
        OnnxExportCheck.Checker([.. files]);
        output.WriteLine($"{cases.Count} node tests imported, exported ({files.Count} files) and run again in ONNX Runtime");
    }
}
