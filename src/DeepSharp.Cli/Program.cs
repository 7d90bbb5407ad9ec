// deepsharp: the command-line front end. Each sub-command lives in Commands/.
using System.CommandLine;
using DeepSharp.Cli;
using DeepSharp.Cli.Commands;

var root = new RootCommand("DeepSharp: Keras-style convnets in C#, fast on a plain CPU.")
{
    MnistCommand.Create(),
    MakeDatasetCommand.Create(),
    TrainCommand.Create(),
    AugmentPreviewCommand.Create(),
    VisualizeCommand.Create(),
    PredictCommand.Create(),
    ExtractFeaturesCommand.Create(),
    ExportCommand.Create(),
};
// The library logs (dataset found or downloaded, images in a folder) instead of printing; the CLI shows them.
DeepSharp.Logging.DeepSharpLogging.Logger = new DeepSharp.Cli.ConsoleLogger();
// Errors become one line on stderr (exit 1, or 2 for a bad flag); --verbose adds the stack trace. See CliRunner.
return CliRunner.Run(root, args);
