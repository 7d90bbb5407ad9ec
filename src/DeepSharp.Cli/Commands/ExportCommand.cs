using System.CommandLine;
using DeepSharp.Models;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// `deepsharp export --model M.keras --output M.onnx [--opset 17] [--channels-first]`: writes a saved model (a `.keras` file,
/// or a Keras 2 `.h5` model) as ONNX for ONNX Runtime or ML.NET. The ONNX input is NHWC like the model's (free batch size)
/// unless --channels-first. A layer without an ONNX form is a one-line error naming it.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "the model to export: a .keras file (deepsharp train, Model.Save, Keras 3) or a Keras 2 .h5 model", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "the .onnx file to write", Required = true };
        var opset = new Option<int>("--opset") { Description = "ONNX opset, 13 to 17", DefaultValueFactory = _ => 17 };
        var channelsFirst = new Option<bool>("--channels-first") { Description = "declare the input (batch, channels, height, width) instead of the model's (batch, height, width, channels)" };
        var cmd = new Command("export", "Export a saved model to ONNX (for ONNX Runtime, ML.NET, ...).") { model, output, opset, channelsFirst };
        cmd.SetAction(r => Run(r.GetValue(model)!, r.GetValue(output)!, r.GetValue(opset), r.GetValue(channelsFirst)));
        return cmd;
    }

    private static int Run(string modelPath, string output, int opset, bool channelsFirst)
    {
        UsageException.RequireRange("--opset", opset, 13, 17, "DeepSharp writes opsets 13 to 17.");
        if (!File.Exists(modelPath)) throw new UsageException("--model", $"'{modelPath}' does not exist.");
        // Checked before the model is read: an .onnx name, a writable folder, not the model itself.
        OutputPath.CheckFile(output, "--output", [".onnx"], ("--model", modelPath));
        var m = Model.Load(modelPath);
        m.SaveOnnx(output, opset, channelsFirst);
        var shape = m.InputShape!;
        string layout = shape.Length == 3 ? channelsFirst ? $"(batch, {shape[2]}, {shape[0]}, {shape[1]}) NCHW" : $"(batch, {string.Join(", ", shape)}) NHWC" : $"(batch, {string.Join(", ", shape)})";
        Console.WriteLine($"Wrote {output}: ONNX opset {opset}, input '{m.InputName}' {layout}, {m.Layers.Count} layers, {m.CountParams():N0} parameters.");
        return 0;
    }
}
