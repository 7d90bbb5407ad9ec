using System.CommandLine;
using DeepSharp.Data;
using DeepSharp.Applications;
using static DeepSharp.Utils;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// `deepsharp mnist`: the chapter's first program. Trains the small convnet on MNIST (or the shipped sample,
/// or Fashion-MNIST) and prints the summary, the progress lines and, last, "test loss: L - test accuracy: A".
/// </summary>
internal static class MnistCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "mnist (falls back to the shipped sample offline), mnist-sample, or fashion-mnist", DefaultValueFactory = _ => "mnist" };
        dataset.AcceptOnlyFromAmong("mnist", "mnist-sample", "fashion-mnist");
        var epochs = new Option<int>("--epochs") { Description = "training epochs", DefaultValueFactory = _ => 5 };
        var batchSize = new Option<int>("--batch-size") { Description = "samples per gradient step", DefaultValueFactory = _ => 64 };
        var seed = new Option<int?>("--seed") { Description = "seed for weights, shuffling and dropout (repeatable runs)" };
        var data = new Option<string?>("--data") { Description = "a folder or mnist.npz file to load instead of searching the usual places" };
        var progress = new Option<string>("--progress") { Description = "bar (Keras' verbose 1), epoch (one line per epoch, verbose 2) or none", DefaultValueFactory = _ => "bar" };
        progress.AcceptOnlyFromAmong("bar", "epoch", "none");
        var output = new Option<string?>("--output", "-o") { Description = "save the trained model to this .keras file" };
        var cmd = new Command("mnist", "Train the chapter's MNIST convnet and report test accuracy.") { dataset, epochs, batchSize, seed, data, progress, output };
        cmd.SetAction(r => Run(r.GetValue(dataset)!, r.GetValue(epochs), r.GetValue(batchSize), r.GetValue(seed), r.GetValue(data),
            r.GetValue(progress) switch { "none" => 0, "epoch" => 2, _ => 1 }, r.GetValue(output)));
        return cmd;
    }

    private static int Run(string dataset, int epochs, int batchSize, int? seed, string? path, int verbose, string? output)
    {
        if (epochs <= 0 || batchSize <= 0)
        {
            Console.Error.WriteLine($"--epochs and --batch-size must be positive (got {epochs} and {batchSize}).");
            return 2;
        }
        if (output is not null)
        {
            if (Directory.Exists(output)) throw new UsageException("--output", $"'{output}' is a folder; give the .keras file to write, e.g. {Path.Combine(output, "mnist.keras")}.");
            if (!output.EndsWith(".keras", StringComparison.OrdinalIgnoreCase)) throw new UsageException("--output", $"'{output}' must end in .keras (Keras 3's model file).");
        }
        if (seed is { } s) Rng.SetSeed(s);
        var model = ChapterModels.MnistConvnet();
        model.Summary();

        var (train, test) = dataset switch
        {
            "mnist-sample" => Mnist.LoadSample(),
            "fashion-mnist" => FashionMnist.Load(path),
            _ => Mnist.Load(path),
        };
        Console.WriteLine($"Data: {train.Source} ({train.Count:N0} train / {test.Count:N0} test images)");

        model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        model.Fit(train.Images / 255f, ToCategorical(train.Labels, 10), epochs: epochs, batchSize: batchSize, verbose: verbose,
            cancellationToken: Interruption.Token);
        var (loss, acc) = model.Evaluate(test.Images / 255f, ToCategorical(test.Labels, 10), verbose: verbose == 0 ? 0 : 1,
            cancellationToken: Interruption.Token);
        if (output is not null)
        {
            model.Save(output);
            Console.WriteLine($"Saved {output}.");
        }
        Console.WriteLine($"test loss: {loss:F4} - test accuracy: {acc:F4}");
        return 0;
    }
}
