using DeepSharp.Callbacks;
using DeepSharp.Data;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Training;
using static DeepSharp.Utils;

namespace DeepSharp.Tests.Models;

public class TrainingTests
{
    /// <summary>Two Gaussian blobs in 4-D: class = sign of the first coordinate.</summary>
    private static (Tensor X, Tensor Y, int[] Labels) Blobs(int n, int seed)
    {
        var r = new Random(seed);
        var x = new Tensor(n, 4);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            for (int j = 0; j < 4; j++) x[i, j] = (float)(r.NextDouble() - 0.5) + (j == 0 ? (labels[i] == 1 ? 1f : -1f) : 0f);
        }
        return (x, ToCategorical(labels), labels);
    }

    private static Sequential SmallModel() => new(new Dense(8, activation: "relu", inputDim: 4), new Dense(2, activation: "softmax"));

    [Fact]
    public void ValidationSplitHoldsOutTheLastSamples()
    {
        var (x, y, _) = Blobs(100, 1);
        var model = SmallModel();
        model.Compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var h = model.Fit(x, y, epochs: 3, batchSize: 16, validationSplit: 0.2f, verbose: 0);
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy"], h.Keys);
        Assert.Equal([1, 2, 3], h.Epochs);
        // val_ values equal an Evaluate on the last 20 samples.
        var ev = model.Evaluate(x.Slice(80, 20), y.Slice(80, 20), verbose: 0);
        Assert.Equal(ev.Loss, h["val_loss"][^1], 5);
        Assert.Equal(ev["accuracy"], h["val_accuracy"][^1], 5);
    }

    [Fact]
    public void SparseLabelsTrainExactlyLikeOneHot()
    {
        var (x, y, labels) = Blobs(200, 2);
        var sparse = new Tensor(labels.Select(l => (float)l).ToArray(), labels.Length);
        History Train(Tensor targets, string loss)
        {
            Rng.SetSeed(11);
            var model = SmallModel();
            model.Compile(optimizer: "rmsprop", loss: loss, metrics: ["accuracy"]);
            return model.Fit(x, targets, epochs: 3, batchSize: 20, verbose: 0);
        }
        var a = Train(y, "categorical_crossentropy");
        var b = Train(sparse, "sparse_categorical_crossentropy");
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(a["loss"][e], b["loss"][e], 5);
            Assert.Equal(a["accuracy"][e], b["accuracy"][e], 5);
        }
        Assert.True(a["loss"][2] < a["loss"][0]);
    }

    [Fact]
    public void PredictGivesTheSameOutputsForAnyBatchSize()
    {
        var (x, _, _) = Blobs(37, 3);
        var model = SmallModel();
        var a = model.Predict(x, batchSize: 37);
        var b = model.Predict(x, batchSize: 5);
        Assert.Equal([37, 2], a.Shape.ToArray());
        for (int i = 0; i < a.Size; i++) Assert.Equal(a.Data[i], b.Data[i], 5);
        for (int i = 0; i < 37; i++) Assert.Equal(1f, a[i, 0] + a[i, 1], 5);
    }

    [Fact]
    public void EarlyStoppingStopsTraining()
    {
        var (x, y, _) = Blobs(64, 4);
        var model = SmallModel();
        model.Compile(optimizer: new SGD(learningRate: 1e-9f), loss: "categorical_crossentropy");
        var stop = new EarlyStopping(monitor: "loss", minDelta: 1e-3, patience: 1);
        var h = model.Fit(x, y, epochs: 50, verbose: 0, callbacks: [stop]);
        Assert.True(h.Epochs.Count < 50);
        Assert.Equal(h.Epochs.Count - 1, stop.StoppedEpoch);
    }

    [Fact]
    public void NanLossStopsWithTheStep()
    {
        var (x, y, _) = Blobs(64, 5);
        x[40, 0] = float.NaN;
        var model = SmallModel();
        model.Compile(optimizer: "sgd", loss: "categorical_crossentropy");
        var ex = Assert.Throws<TrainingException>(() => model.Fit(x, y, batchSize: 16, shuffle: false, verbose: 0));
        Assert.Contains("epoch 1, step 3/4", ex.Message);
    }

    [Fact]
    public void NanInTheValidationData_StopsTraining_NamingTheEpoch()
    {
        var (x, y, _) = Blobs(64, 5);
        var (vx, vy, _) = Blobs(16, 6);
        vx[3, 0] = float.NaN;
        var model = SmallModel();
        model.Compile(optimizer: "sgd", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var ex = Assert.Throws<TrainingException>(() => model.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, validationData: (vx, vy)));
        Assert.Contains("validation loss became NaN at epoch 1", ex.Message);
    }

    [Fact]
    public void WrongInputShapeNamesExpectedAndActual()
    {
        var model = ChapterModel.Create();
        model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy");
        var ex = Assert.Throws<ArgumentException>(() => model.Fit(new Tensor(10, 28, 28), new Tensor(10, 10), verbose: 0));
        Assert.Contains("(None, 28, 28, 1)", ex.Message);
        Assert.Contains("(10, 28, 28)", ex.Message);
        Assert.Contains("Reshape(-1, 28, 28, 1)", ex.Message);
    }

    [Fact]
    public void IntegerLabelsWithCategoricalLossSayUseToCategorical()
    {
        var model = ChapterModel.Create();
        model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy");
        var ex = Assert.Throws<ArgumentException>(() => model.Fit(new Tensor(10, 28, 28, 1), new Tensor(10), verbose: 0));
        Assert.Contains("ToCategorical", ex.Message);
        Assert.Contains(model.Layers[^1].Name, ex.Message);
    }

    [Fact]
    public void MismatchedSampleCountsAreRejected()
    {
        var model = SmallModel();
        model.Compile(optimizer: "adam", loss: "categorical_crossentropy");
        var ex = Assert.Throws<ArgumentException>(() => model.Fit(new Tensor(10, 4), new Tensor(9, 2), verbose: 0));
        Assert.Contains("10 samples", ex.Message);
    }

    [Theory]
    [InlineData("rmsprop2", "categorical_crossentropy", "optimizer 'rmsprop2'")]
    [InlineData("rmsprop", "crossentropy", "loss 'crossentropy'")]
    public void UnknownNamesListTheKnownOnes(string optimizer, string loss, string expected)
    {
        var model = SmallModel();
        var ex = Assert.Throws<ArgumentException>(() => model.Compile(optimizer: optimizer, loss: loss));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void UnknownActivationNamesTheLayer()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Dense(3, activation: "mish", name: "my_dense"));
        Assert.Contains("my_dense", ex.Message);
        Assert.Contains("mish", ex.Message);
    }

    [Fact]
    public void FitBeforeCompileSaysCompile()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SmallModel().Fit(new Tensor(2, 4), new Tensor(2, 2), verbose: 0));
        Assert.Contains("Compile", ex.Message);
    }

    [Fact]
    public void ProgressLineLooksLikeKeras()
    {
        var w = new StringWriter();
        var p = new ProgressLogger(1, w);
        p.Start(938);
        p.Finish(938, [("loss", 0.17704), ("accuracy", 0.94491)]);
        Assert.Matches(@"^938/938 \[={30}\] - \d+s \d+us/step - loss: 0\.1770 - accuracy: 0\.9449", w.ToString());
    }

    [Fact]
    public void GeneratorFitUsesStepsPerEpoch()
    {
        var (x, y, _) = Blobs(64, 6);
        var model = SmallModel();
        model.Compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var gen = new ArrayBatches(x, y, 0, 64, 8, true, new Random(1));
        var val = new ArrayBatches(x, y, 0, 64, 16, false, new Random(1));
        var seen = new CountingCallback();
        var h = model.Fit(gen, stepsPerEpoch: 5, epochs: 2, validationData: val, validationSteps: 2, callbacks: [seen], verbose: 0);
        Assert.Equal(10, seen.Batches);
        Assert.True(h.Contains("val_accuracy"));
    }

    private sealed class CountingCallback : Callback
    {
        public int Batches;
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) => Batches++;
    }
}
