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
// Under mpirun or srun every rank runs this same command (docs/SCALING.md): Fit trains on each rank's share of every
// batch; rank 0 prints and writes, the others stay quiet. Without a launcher this is a world of one and loads no MPI.
using var world = DeepSharp.Distributed.Initialize();
if (!world.IsRoot) Console.SetOut(TextWriter.Null);
// Errors become one line on stderr (exit 1, or 2 for a bad flag); --verbose adds the stack trace. See CliRunner.
int code = CliRunner.Run(root, args);
// A rank that failed ends every rank at once (the others would wait for it in their next all-reduce).
if (code != 0 && world.Size > 1) world.Abort($"the command failed (exit code {code}); ending every rank.");
return code;
