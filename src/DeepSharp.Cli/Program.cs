// deepsharp: the command-line front end. Each sub-command lives in Commands/.
using System.CommandLine;
using DeepSharp.Cli.Commands;

var root = new RootCommand("DeepSharp: Keras-style convnets in C#, fast on a plain CPU.")
{
    MnistCommand.Create(),
    MakeDatasetCommand.Create(),
    TrainCommand.Create(),
    AugmentPreviewCommand.Create(),
    PredictCommand.Create(),
    ExtractFeaturesCommand.Create(),
};
try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException or UnauthorizedAccessException
                              or DeepSharp.Training.TrainingException or DeepSharp.Vision.ImageDecodeException)
{
    // User errors: the message says what happened and how to fix it; no stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
