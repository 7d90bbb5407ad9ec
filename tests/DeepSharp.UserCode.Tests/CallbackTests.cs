using System.Globalization;
using DeepSharp.Callbacks;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Training;

namespace DeepSharp.UserCode.Tests;

/// <summary>Keras' callbacks, the progress output as a callback, and cancellation, through the public API.</summary>
public class CallbackTests
{
    private static (Tensor X, Tensor Y) Data(int n = 16, int seed = 1)
    {
        var r = new System.Random(seed);
        var x = new Tensor(n, 4);
        var y = new Tensor(n, 2);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 4; j++) x.Span[i * 4 + j] = (float)r.NextDouble();
            y.Span[i * 2 + (x.Span[i * 4] > 0.5f ? 1 : 0)] = 1;
        }
        return (x, y);
    }

    private static Sequential Model(Optimizer optimizer)
    {
        var model = new Sequential(new Dense(8, activation: "relu", inputDim: 4), new Dense(2, activation: "softmax"));
        model.Compile(optimizer, "categorical_crossentropy", ["accuracy"]);
        return model;
    }

    private static string TempDir() => Path.Combine(Path.GetTempPath(), $"deepsharp-usercode-{Guid.NewGuid():N}");

    [Theory]
    [InlineData(0, new[] { 1f, 1f, 1f, 0.5f, 0.5f, 0.25f }, 0.25f)]
    [InlineData(2, new[] { 1f, 1f, 1f, 0.5f, 0.5f, 0.5f }, 0.25f)]
    public void ReduceLROnPlateauLowersTheRateAfterPatienceEpochsWithoutImprovement(int cooldown, float[] expectedRates, float expectedFinal)
    {
        const float lr = 1e-9f;   // the loss stays flat: no epoch improves by minDelta after the first
        var (x, y) = Data();
        var model = Model(new SGD(learningRate: lr));
        var reduce = new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 2, cooldown: cooldown);
        var history = model.Fit(x, y, epochs: 6, batchSize: 8, verbose: 0, shuffle: false, callbacks: [reduce]);
        Assert.Equal(expectedRates.Select(r => (double)(r * lr)), history["learning_rate"].Select(v => (double)(float)v));
        Assert.Equal(expectedFinal * lr, model.Optimizer!.LearningRate);
    }

    [Fact]
    public void ReduceLROnPlateauKeepsTheRateWhileImprovingAndNeverGoesBelowMinLr()
    {
        var (x, y) = Data();
        var improving = Model(new Adam(learningRate: 0.01f));
        improving.Fit(x, y, epochs: 5, batchSize: 4, verbose: 0, shuffle: false, callbacks: [new ReduceLROnPlateau(monitor: "loss", patience: 1)]);
        Assert.Equal(0.01f, improving.Optimizer!.LearningRate);

        var flat = Model(new SGD(learningRate: 1e-6f));
        flat.Fit(x, y, epochs: 6, batchSize: 8, verbose: 0, callbacks: [new ReduceLROnPlateau(monitor: "loss", factor: 0.1, patience: 1, minLr: 5e-7)]);
        Assert.Equal(5e-7f, flat.Optimizer!.LearningRate);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: 1.0));
    }

    [Fact]
    public void LearningRateSchedulerSetsTheRateAtEachEpoch()
    {
        var (x, y) = Data();
        var model = Model(new RMSprop(learningRate: 0.01f));
        var history = model.Fit(x, y, epochs: 4, batchSize: 8, verbose: 0,
            callbacks: [new LearningRateScheduler((epoch, rate) => epoch < 2 ? rate : rate * 0.5f)]);
        Assert.Equal([0.01f, 0.01f, 0.005f, 0.0025f], history["learning_rate"].Select(v => (float)v));
        Assert.Throws<ArgumentException>(() => model.Fit(x, y, epochs: 1, verbose: 0, callbacks: [new LearningRateScheduler(epoch => -1f)]));
    }

    [Fact]
    public void CsvLoggerWritesKerasColumnsAndAppends()
    {
        string dir = TempDir();
        string path = Path.Combine(dir, "log.csv");
        try
        {
            var (x, y) = Data(20);
            var model = Model(new Adam());
            var history = model.Fit(x, y, epochs: 3, batchSize: 4, verbose: 0, validationSplit: 0.25f, callbacks: [new CSVLogger(path)]);
            var lines = File.ReadAllLines(path);
            Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]);
            Assert.Equal(4, lines.Length);
            for (int e = 0; e < 3; e++)
            {
                var cells = lines[e + 1].Split(',');
                Assert.Equal(e.ToString(CultureInfo.InvariantCulture), cells[0]);
                Assert.Equal(history["loss"][e], double.Parse(cells[2], CultureInfo.InvariantCulture));
                Assert.Equal(history["val_accuracy"][e], double.Parse(cells[3], CultureInfo.InvariantCulture));
            }
            model.Fit(x, y, epochs: 5, initialEpoch: 3, batchSize: 4, verbose: 0, validationSplit: 0.25f, callbacks: [new CSVLogger(path, append: true)]);
            lines = File.ReadAllLines(path);
            Assert.Equal(6, lines.Length);
            Assert.Single(lines, l => l.StartsWith("epoch"));
            Assert.StartsWith("4,", lines[^1]);
            Assert.Equal(["log.csv"], Directory.GetFiles(dir).Select(Path.GetFileName));   // no temporary file left

            model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0, callbacks: [new CSVLogger(path, separator: ";")]);
            lines = File.ReadAllLines(path);
            Assert.Equal("epoch;accuracy;loss;val_accuracy;val_loss", lines[0]);
            Assert.EndsWith(";NA;NA", lines[1]);   // Keras adds the val_ columns even without validation
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void TerminateOnNaNEndsFitQuietlyAfterTheBadBatch()
    {
        var (x, y) = Data();
        x.Span[0] = float.NaN;   // the first batch's loss is NaN
        var model = Model(new SGD());
        Assert.Throws<TrainingException>(() => model.Fit(x, y, epochs: 3, batchSize: 4, verbose: 0, shuffle: false));

        var fresh = Model(new SGD());
        var output = new StringWriter();
        var terminate = new TerminateOnNaN(output);
        int batches = 0;
        var history = fresh.Fit(x, y, epochs: 3, batchSize: 4, verbose: 0, shuffle: false,
            callbacks: [terminate, new LambdaCallback(onBatchEnd: (_, _) => batches++)]);
        Assert.Equal((0, 0), terminate.StoppedAt);
        Assert.Equal(1, batches);
        Assert.Equal([1], history.Epochs);
        Assert.True(double.IsNaN(history["loss"][0]));
        Assert.Contains("Batch 0: Invalid loss, terminating training", output.ToString());
    }

    [Fact]
    public void LambdaCallbackSeesEveryEvent()
    {
        var (x, y) = Data();
        var events = new List<string>();
        Model(new SGD()).Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, callbacks: [new LambdaCallback(
            onTrainBegin: () => events.Add("train"),
            onEpochBegin: e => events.Add($"e{e}"),
            onBatchBegin: b => events.Add($"b{b}"),
            onBatchEnd: (b, logs) => events.Add($"/b{b}:{logs.ContainsKey("accuracy")}"),
            onEpochEnd: (e, logs) => events.Add($"/e{e}:{logs.Count}"),
            onTrainEnd: () => events.Add("/train"))]);
        Assert.Equal("train e0 b0 /b0:True b1 /b1:True /e0:2 e1 b0 /b0:True b1 /b1:True /e1:2 /train", string.Join(" ", events));
    }

    [Fact]
    public void BackupAndRestoreResumesAnInterruptedFitWhereItStopped()
    {
        var (x, y) = Data(24);
        var straight = Model(new Adam(learningRate: 0.01f));
        var interrupted = Model(new Adam(learningRate: 0.01f));
        var resumed = Model(new Adam(learningRate: 0.01f));
        for (int i = 0; i < straight.Parameters.Count; i++)
            straight.Parameters[i].Value.Span.CopyTo(interrupted.Parameters[i].Value.Span);
        straight.Fit(x, y, epochs: 5, batchSize: 8, verbose: 0, shuffle: false);

        string dir = TempDir();
        try
        {
            var backup = new BackupAndRestore(dir);
            using var cancel = new CancellationTokenSource();
            var stopAfterSecondEpoch = new LambdaCallback(onEpochEnd: (epoch, _) => { if (epoch == 1) cancel.Cancel(); });
            Assert.ThrowsAny<OperationCanceledException>(() => interrupted.Fit(x, y, epochs: 5, batchSize: 8, verbose: 0, shuffle: false,
                callbacks: [backup, stopAfterSecondEpoch], cancellationToken: cancel.Token));
            Assert.True(File.Exists(Path.Combine(dir, "latest.weights.h5")));

            var history = resumed.Fit(x, y, epochs: 5, batchSize: 8, verbose: 0, shuffle: false, callbacks: [backup]);
            Assert.Equal(2, backup.ResumedFromEpoch);
            Assert.Equal([3, 4, 5], history.Epochs);
            Assert.False(Directory.Exists(dir));   // deleted once Fit completed
            for (int i = 0; i < straight.Parameters.Count; i++)
                Assert.Equal(straight.Parameters[i].Value.Span.ToArray(), resumed.Parameters[i].Value.Span.ToArray(), new ToleranceComparer(1e-5f));
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a));
        public int GetHashCode(float v) => 0;
    }

    [Fact]
    public void TheProgressOutputIsACallbackThatCanBeRedirectedOrSilenced()
    {
        var (x, y) = Data();
        var model = Model(new SGD());
        var bar = new StringWriter();
        model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, callbacks: [new ProgbarLogger(bar)]);
        string text = bar.ToString();
        Assert.Contains("Epoch 1/2", text);
        Assert.Contains("Epoch 2/2", text);
        Assert.Contains("2/2 [==============================]", text);
        Assert.Contains(" - loss: ", text);
        Assert.Contains(" - accuracy: ", text);

        var lines = new StringWriter();
        model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 2, callbacks: [new ProgbarLogger(lines)]);
        Assert.Matches(@"^Epoch 1/1\r?\n2/2 - \d+s \d+[mu]?s/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}\r?\n$", lines.ToString());

        var evaluation = new StringWriter();
        var result = model.Evaluate(x, y, batchSize: 8, callbacks: [new ProgbarLogger(evaluation)]);
        Assert.Contains($"loss: {result.Loss.ToString("F4", CultureInfo.InvariantCulture)}", evaluation.ToString());
        Assert.DoesNotContain("Epoch", evaluation.ToString());
    }

    [Fact]
    public void NothingReachesTheConsoleWhenSilent()
    {
        var (x, y) = Data();
        var model = Model(new SGD());
        var (stdout, stderr) = (Console.Out, Console.Error);
        var captured = new StringWriter();
        Console.SetOut(captured);
        Console.SetError(captured);
        try
        {
            model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, validationSplit: 0.25f);
            model.Evaluate(x, y, verbose: 0);
            model.Predict(x);
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
        Assert.Equal("", captured.ToString());
    }

    [Fact]
    public void CancellationStopsBetweenBatches()
    {
        var (x, y) = Data(40);
        var model = Model(new SGD());
        using var cancel = new CancellationTokenSource();
        int batches = 0;
        var counter = new LambdaCallback(onBatchEnd: (b, _) => { batches++; if (b == 2) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(x, y, epochs: 3, batchSize: 4, verbose: 0, callbacks: [counter], cancellationToken: cancel.Token));
        Assert.Equal(3, batches);
        Assert.ThrowsAny<OperationCanceledException>(() => model.Predict(x, cancellationToken: cancel.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => model.Evaluate(x, y, verbose: 0, cancellationToken: cancel.Token));
    }
}

/// <summary>EarlyStopping with Keras' semantics: patience counts epochs without improvement; best weights come back.</summary>
public class EarlyStoppingTests
{
    private static (Tensor X, Tensor Y) Data()
    {
        var r = new System.Random(3);
        var x = new Tensor(16, 4);
        var y = new Tensor(16, 2);
        for (int i = 0; i < 16; i++)
        {
            for (int j = 0; j < 4; j++) x.Span[i * 4 + j] = (float)r.NextDouble();
            y.Span[i * 2 + (x.Span[i * 4] > 0.5f ? 1 : 0)] = 1;
        }
        return (x, y);
    }

    private static Sequential Model(Optimizer optimizer)
    {
        var model = new Sequential(new Dense(8, activation: "relu", inputDim: 4), new Dense(2, activation: "softmax"));
        model.Compile(optimizer, "categorical_crossentropy", ["accuracy"]);
        return model;
    }

    [Theory]
    [InlineData(0, 2)]   // patience 0: stops at the first epoch that does not improve (epoch 1)
    [InlineData(2, 3)]   // patience 2: epochs 1 and 2 do not improve, it stops after epoch 2
    [InlineData(4, 5)]
    public void StopsAfterPatienceEpochsWithoutImprovement(int patience, int epochsRun)
    {
        var (x, y) = Data();
        var model = Model(new SGD(learningRate: 1e-9f));   // a flat loss: only the first epoch is an improvement
        var stop = new EarlyStopping(monitor: "loss", minDelta: 1e-3, patience: patience);
        var history = model.Fit(x, y, epochs: 20, batchSize: 8, verbose: 0, callbacks: [stop]);
        Assert.Equal(epochsRun, history.Epochs.Count);
        Assert.Equal(epochsRun - 1, stop.StoppedEpoch);
    }

    [Fact]
    public void RestoresTheWeightsOfTheBestEpoch()
    {
        var (x, y) = Data();
        var model = Model(new Adam(learningRate: 0.05f));
        var snapshots = new List<float[][]>();
        var snapshot = new LambdaCallback(onEpochEnd: (_, _) => snapshots.Add(model.Parameters.Select(p => p.Value.Span.ToArray()).ToArray()));
        // "max" on a falling loss: the first epoch stays the best one.
        var stop = new EarlyStopping(monitor: "loss", mode: "max", patience: 2, restoreBestWeights: true);
        model.Fit(x, y, epochs: 10, batchSize: 4, verbose: 0, shuffle: false, callbacks: [snapshot, stop]);
        Assert.Equal(3, snapshots.Count);
        Assert.Equal(0, stop.BestEpoch);
        for (int i = 0; i < model.Parameters.Count; i++)
            Assert.Equal(snapshots[0][i], model.Parameters[i].Value.Span.ToArray());
        Assert.NotEqual(snapshots[2][0], model.Parameters[0].Value.Span.ToArray());
    }

    [Fact]
    public void WaitsUntilStartFromEpoch()
    {
        var (x, y) = Data();
        var model = Model(new SGD(learningRate: 1e-9f));
        var stop = new EarlyStopping(monitor: "loss", minDelta: 1e-3, patience: 1, startFromEpoch: 3);
        var history = model.Fit(x, y, epochs: 20, batchSize: 8, verbose: 0, callbacks: [stop]);
        Assert.Equal(5, history.Epochs.Count);   // watching from epoch 3: improvement there, none at epoch 4
    }
}
