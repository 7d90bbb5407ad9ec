using DeepSharp.Callbacks;
using DeepSharp.Models;
using DeepSharp.Worlds;

namespace DeepSharp.DistributedTests;

/// <summary>
/// EarlyStopping and ReduceLROnPlateau on a validation loss that stops improving (random labels, a large learning
/// rate): each rank records when it stopped and its learning rate after every epoch; rank 0 prints every rank's
/// figures and those of the same run in a world of one.
/// </summary>
internal static class CallbackScenarios
{
    private const int MaxEpochs = 12;

    public static void Run(DistributedWorld world)
    {
        // EarlyStopping(patience 1): the epoch each rank stopped at.
        var stops = new double[world.Size];
        stops[world.Rank] = EarlyStop();
        world.AllReduceSum(stops);
        if (world.Rank == 0)
        {
            int single;
            using (World.Use(World.Single)) single = EarlyStop();
            CheckLine.Write($"CHECK early-stopping ranks {string.Join(",", stops)} single {single}");
        }

        // ReduceLROnPlateau(patience 0, factor 0.5): the learning rate after each epoch, one row per rank.
        var rates = new double[world.Size * MaxEpochs];
        Plateau().CopyTo(rates, world.Rank * MaxEpochs);
        world.AllReduceSum(rates);
        if (world.Rank == 0)
        {
            double[] single;
            using (World.Use(World.Single)) single = Plateau();
            var rows = Enumerable.Range(0, world.Size).Select(r => string.Join(",", rates.Skip(r * MaxEpochs).Take(MaxEpochs).Select(v => v.ToString("R"))));
            CheckLine.Write($"CHECK plateau ranks {string.Join(" ", rows)} single {string.Join(",", single.Select(v => v.ToString("R")))}");
        }
    }

    private static (Model Model, (Tensor X, Tensor Y) Train, (Tensor, Tensor) Validation) Setup()
    {
        DeepSharp.Rng.SetSeed(42);
        var model = TrainScenarios.Convnet(bn: null);
        model.Compile(optimizer: new Optimizers.SGD(learningRate: 0.5), loss: "categorical_crossentropy");
        return (model, TrainScenarios.Arrays(11, seed: 5), TrainScenarios.Arrays(7, seed: 6));
    }

    /// <summary>The number of epochs Fit ran before EarlyStopping stopped it (MaxEpochs when it did not).</summary>
    private static int EarlyStop()
    {
        var (model, (x, y), validation) = Setup();
        var history = model.Fit(x, y, batchSize: 4, epochs: MaxEpochs, verbose: 0, shuffle: false, validationData: validation,
            callbacks: [new EarlyStopping(patience: 1)]);
        return history.Epochs.Count;
    }

    /// <summary>The learning rate after each epoch.</summary>
    private static double[] Plateau()
    {
        var (model, (x, y), validation) = Setup();
        var rates = new double[MaxEpochs];
        var record = new LambdaCallback(onEpochEnd: (epoch, _) => rates[epoch] = model.Optimizer!.LearningRate);
        model.Fit(x, y, batchSize: 4, epochs: MaxEpochs, verbose: 0, shuffle: false, validationData: validation,
            callbacks: [new ReduceLROnPlateau(factor: 0.5, patience: 0), record]);
        return rates;
    }
}
