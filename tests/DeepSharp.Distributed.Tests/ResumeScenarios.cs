using DeepSharp.Callbacks;
using DeepSharp.Models;
using DeepSharp.Training;
using DeepSharp.Worlds;

namespace DeepSharp.DistributedTests;

/// <summary>
/// A run of 4 epochs cut after epoch 2 by a stop, resumed by BackupAndRestore in a world of another size. The test
/// process (a world of one) writes the backup that the 2 ranks resume ("one-to-two") and resumes the backup the 2 ranks
/// wrote ("two-to-one"). SGD with momentum, so the backup must carry the optimizer's state too.
/// </summary>
internal static class ResumeScenarios
{
    public const int Epochs = 4, StopAfter = 2;

    public static Model Build()
    {
        DeepSharp.Rng.SetSeed(42);
        var model = TrainScenarios.Convnet(bn: null);
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.05, momentum: 0.9), loss: "categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    /// <summary>
    /// Fit with BackupAndRestore(<paramref name="backup"/>), stopped after epoch <paramref name="stopAfter"/> when given.
    /// Returns the epochs run and the largest difference between the weights at the first epoch's start and those
    /// the backup held before Fit (0 when there was no backup).
    /// </summary>
    public static (History History, double StartDiff) Fit(Model model, string backup, int? stopAfter)
    {
        var (x, y) = TrainScenarios.Arrays(11, seed: 5);
        List<Tensor>? held = null;
        string weights = Path.Combine(backup, "latest.weights.h5");
        if (File.Exists(weights))
        {
            var copy = Build();
            copy.LoadWeights(weights);
            held = [.. copy.GetWeights()];
        }
        double startDiff = double.NaN;
        var probe = new LambdaCallback(
            onEpochBegin: _ => { if (double.IsNaN(startDiff)) startDiff = held is null ? 0 : MaxDiff(model.GetWeights(), held); },
            onEpochEnd: (epoch, _) => { if (epoch + 1 == stopAfter) model.StopTraining = true; });
        var history = model.Fit(x, y, batchSize: 4, epochs: Epochs, verbose: 0, shuffle: false,
            callbacks: [new BackupAndRestore(backup, deleteCheckpoint: false), probe]);
        return (history, startDiff);
    }

    /// <summary>The largest absolute difference over all weights, relative to the largest weight of <paramref name="b"/>.</summary>
    public static double MaxDiff(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < b.Count; i++)
            for (int j = 0; j < b[i].Size; j++)
            {
                diff = Math.Max(diff, Math.Abs(a[i].Data[j] - b[i].Data[j]));
                scale = Math.Max(scale, Math.Abs(b[i].Data[j]));
            }
        return diff / scale;
    }

    /// <summary>
    /// On 2 ranks: resume the test's backup in DIR/one-to-two to the end (rank 0 saves the result to
    /// DIR/one-to-two.weights.h5), then train DIR/two-to-one from scratch and stop after epoch 2.
    /// </summary>
    public static void Run(DistributedWorld world, string dir)
    {
        var resumed = Build();
        var (history, startDiff) = Fit(resumed, Path.Combine(dir, "one-to-two"), stopAfter: null);
        var diffs = new double[world.Size];
        diffs[world.Rank] = startDiff;
        world.AllReduceSum(diffs);
        if (world.Rank == 0)
        {
            resumed.SaveWeights(Path.Combine(dir, "one-to-two.weights.h5"));
            CheckLine.Write($"CHECK one-to-two epochs {string.Join(",", history.Epochs)} start-diff {string.Join(",", diffs.Select(d => d.ToString("R")))}");
        }
        var (stopped, _) = Fit(Build(), Path.Combine(dir, "two-to-one"), stopAfter: StopAfter);
        if (world.Rank == 0) CheckLine.Write($"CHECK two-to-one epochs {string.Join(",", stopped.Epochs)}");
    }
}
