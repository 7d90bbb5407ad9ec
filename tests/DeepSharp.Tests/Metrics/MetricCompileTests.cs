using DeepSharp.Layers;
using DeepSharp.Metrics;
using DeepSharp.Models;
using DeepSharp.Tests.Data;
using static DeepSharp.Utils;

namespace DeepSharp.Tests.Metrics;

/// <summary>The new metrics through Compile, Fit, Evaluate, History and .keras files, under Keras' names.</summary>
public class MetricCompileTests
{
    /// <summary>Two noisy blobs: feature 0 leans with the class.</summary>
    private static (Tensor X, int[] Labels) Blobs(int n, int seed, int classes = 2)
    {
        var r = new Random(seed);
        var x = new Tensor(n, 4);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % classes;
            for (int j = 0; j < 4; j++) x[i, j] = (float)(r.NextDouble() - 0.5) * 2 + (j == labels[i] % 4 ? 0.8f : 0f);
        }
        return (x, labels);
    }

    private static Tensor Column(int[] labels)
    {
        var y = new Tensor(labels.Length, 1);
        for (int i = 0; i < labels.Length; i++) y.Span[i] = labels[i];
        return y;
    }

    [Fact]
    public void BinaryModelLogsAucPrecisionRecallUnderKerasNames()
    {
        Rng.SetSeed(3);
        var (x, labels) = Blobs(120, 1);
        var y = Column(labels);
        var model = new Sequential(new Dense(6, activation: "relu", inputDim: 4), new Dense(1, activation: "sigmoid"));
        model.Compile(optimizer: "rmsprop", loss: "binary_crossentropy", metrics: ["accuracy", new AUC(), "precision", "recall", new AUC(curve: "PR", name: "pr_auc")]);
        Assert.Equal(["accuracy", "auc", "precision", "recall", "pr_auc"], model.Metrics.Select(m => m.Name));
        var h = model.Fit(x, y, epochs: 2, batchSize: 16, validationSplit: 0.25, verbose: 0);
        Assert.Equal(["loss", "accuracy", "auc", "precision", "recall", "pr_auc", "val_loss", "val_accuracy", "val_auc", "val_precision", "val_recall", "val_pr_auc"], h.Keys);

        // val_ values are an Evaluate of the held-out samples; the AUC is that of all of them at once, not a mean of batches.
        Tensor xv = x.Slice(90, 30), yv = y.Slice(90, 30);
        var ev = model.Evaluate(xv, yv, batchSize: 7, verbose: 0);
        Assert.Equal(["accuracy", "auc", "precision", "recall", "pr_auc"], ev.Metrics.Keys);
        foreach (var name in new[] { "auc", "precision", "recall", "pr_auc" }) Assert.Equal(ev[name], h["val_" + name][^1], 12);
        var pv = model.Predict(xv, batchSize: 30);
        var whole = new AUC();
        whole.Update(pv, yv);
        Assert.Equal(whole.Result, ev["auc"], 12);
        // Precision and recall at 0.5, counted by hand.
        int tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < 30; i++)
        {
            bool predicted = pv.Span[i] > 0.5f, actual = yv.Span[i] != 0;
            if (predicted && actual) tp++;
            else if (predicted) fp++;
            else if (actual) fn++;
        }
        Assert.Equal(tp + fp == 0 ? 0 : (double)tp / (tp + fp), ev["precision"], 12);
        Assert.Equal(tp + fn == 0 ? 0 : (double)tp / (tp + fn), ev["recall"], 12);
    }

    [Fact]
    public void CategoricalModelTakesKerasNamesAndObjects()
    {
        Rng.SetSeed(4);
        var (x, labels) = Blobs(96, 2, classes: 8);
        var y = ToCategorical(labels, 8);
        var model = new Sequential(new Dense(8, activation: "softmax", inputDim: 4));
        model.Compile(optimizer: "adam", loss: "categorical_crossentropy",
            metrics: ["accuracy", "top_k_categorical_accuracy", new AUC(), "mae", "mse", new TopKCategoricalAccuracy(k: 2, name: "top2")]);
        Assert.IsType<TopKCategoricalAccuracy>(model.Metrics[1]);
        Assert.Equal(5, ((TopKCategoricalAccuracy)model.Metrics[1]).K);
        Assert.IsType<DeepSharp.Metrics.MeanAbsoluteError>(model.Metrics[3]);
        var h = model.Fit(x, y, epochs: 1, batchSize: 32, validationData: (x, y), verbose: 0);
        Assert.Equal(["loss", "accuracy", "top_k_categorical_accuracy", "auc", "mae", "mse", "top2",
            "val_loss", "val_accuracy", "val_top_k_categorical_accuracy", "val_auc", "val_mae", "val_mse", "val_top2"], h.Keys);
        var ev = model.Evaluate(x, y, verbose: 0);
        Assert.True(ev["top_k_categorical_accuracy"] >= ev["top2"] && ev["top2"] >= ev["accuracy"], ev.ToString());

        var sparse = new Sequential(new Dense(8, activation: "softmax", inputDim: 4));
        sparse.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy", "sparse_top_k_categorical_accuracy"]);
        var sy = new Tensor(labels.Select(l => (float)l).ToArray(), labels.Length);
        var sh = sparse.Fit(x, sy, epochs: 1, batchSize: 32, verbose: 0);
        Assert.Equal(["loss", "accuracy", "sparse_top_k_categorical_accuracy"], sh.Keys);
    }

    [Fact]
    public void CompiledMetricsSurviveAKerasFile()
    {
        using var dir = new TempFolder();
        Rng.SetSeed(5);
        var (x, labels) = Blobs(40, 3);
        var y = Column(labels);
        var model = new Sequential(new Dense(4, activation: "relu", inputDim: 4), new Dense(1, activation: "sigmoid"));
        model.Compile(optimizer: "rmsprop", loss: "binary_crossentropy", metrics: ["accuracy", "auc",
            new AUC(numThresholds: 50, curve: "PR", summationMethod: "majoring", name: "pr", fromLogits: false),
            new Precision(thresholds: [0.3, 0.7], name: "p37"), new Recall(topK: 1, name: "r1"), new DeepSharp.Metrics.MeanSquaredError(), "mae",
            new TopKCategoricalAccuracy(k: 1, name: "top1")]);
        string path = dir.File("m.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Metrics.Select(m => (m.Name, m.ClassName)), loaded.Metrics.Select(m => (m.Name, m.ClassName)));
        for (int i = 0; i < model.Metrics.Count; i++)
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(model.Metrics[i].GetConfig()), System.Text.Json.JsonSerializer.Serialize(loaded.Metrics[i].GetConfig()));
        var pr = Assert.IsType<AUC>(loaded.Metrics[2]);
        Assert.Equal((50, "PR", "majoring"), (pr.NumThresholds, pr.Curve, pr.SummationMethod));
        Assert.Equal([0.3, 0.7], Assert.IsType<Precision>(loaded.Metrics[3]).Thresholds!);
        Assert.Equal(1, Assert.IsType<Recall>(loaded.Metrics[4]).TopK);
        var a = model.Evaluate(x, y, verbose: 0);
        var b = loaded.Evaluate(x, y, verbose: 0);
        Assert.Equal(a.Metrics, b.Metrics);

        // Keras writes a metric given by name as the name; an object as {"class_name": "AUC", "config": {...}}.
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        using var reader = new StreamReader(zip.GetEntry("config.json")!.Open());
        var compile = System.Text.Json.Nodes.JsonNode.Parse(reader.ReadToEnd())!["compile_config"]!["metrics"]!.AsArray();
        Assert.Equal("auc", compile[1]!.GetValue<string>());
        Assert.Equal("AUC", compile[2]!["class_name"]!.GetValue<string>());
        Assert.Equal(50, compile[2]!["config"]!["num_thresholds"]!.GetValue<int>());
        Assert.Equal("PR", compile[2]!["config"]!["curve"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(1, "binary_crossentropy", typeof(BinaryAccuracy))]
    [InlineData(1, "mse", typeof(BinaryAccuracy))]                     // Keras 3: one output value is binary, whatever the loss
    [InlineData(3, "binary_crossentropy", typeof(CategoricalAccuracy))] // Keras 3: targets of the outputs' shape with 3 values
    [InlineData(3, "categorical_crossentropy", typeof(CategoricalAccuracy))]
    [InlineData(3, "sparse_categorical_crossentropy", typeof(SparseCategoricalAccuracy))]
    [InlineData(3, "mse", typeof(CategoricalAccuracy))]
    public void AccuracyIsResolvedAsKeras3DoesFromTheShapes(int outputs, string loss, Type expected)
    {
        // keras/src/trainers/compile_utils.py get_metric: binary when y_pred's last axis is 1, sparse when y_true has a
        // lower rank (integer labels: the sparse loss), else categorical.
        var model = new Sequential(new Dense(outputs, activation: "sigmoid", inputDim: 4));
        model.Compile(optimizer: "sgd", loss: loss, metrics: ["accuracy", "acc"]);
        Assert.IsType(expected, model.Metrics[0]);
        Assert.IsType(expected, model.Metrics[1]);
        Assert.Equal(["accuracy", "acc"], model.Metrics.Select(m => m.Name));
        // Without a model the loss decides, as before.
        Assert.IsType<BinaryAccuracy>(Metric.Get("accuracy", DeepSharp.Losses.Loss.Get("binary_crossentropy")));
    }

    [Fact]
    public void UnknownNameListsTheKnownOnes()
    {
        var model = new Sequential(new Dense(1, activation: "sigmoid", inputDim: 4));
        var e = Assert.Throws<ArgumentException>(() => model.Compile(optimizer: "sgd", loss: "binary_crossentropy", metrics: ["f1"]));
        Assert.Contains("'f1'", e.Message);
        Assert.Contains("top_k_categorical_accuracy", e.Message);
        Assert.Contains("auc", e.Message);
        Assert.True(MetricNames.IsKnown("AUC") && MetricNames.IsKnown("TopKCategoricalAccuracy") && MetricNames.IsKnown("mse"));
        Assert.False(MetricNames.IsKnown("f1"));
    }

    [Fact]
    public void MetricUpdatesAllocateNothing()
    {
        var p = new Tensor(32, 10);
        var y = new Tensor(32, 10);
        var r = new Random(1);
        for (int i = 0; i < p.Size; i++) p.Span[i] = (float)r.NextDouble();
        for (int i = 0; i < 32; i++) y[i, i % 10] = 1;
        Metric[] metrics = [new AUC(), new AUC(thresholds: [0.2, 0.5]), new Precision(), new Recall(topK: 2, classId: 3), new Precision(thresholds: [0.1, 0.5, 0.9]),
            new TopKCategoricalAccuracy(), new CategoricalAccuracy(), new DeepSharp.Metrics.MeanSquaredError(), new DeepSharp.Metrics.MeanAbsoluteError(), new BinaryAccuracy()];
        foreach (var m in metrics)
        {
            for (int i = 0; i < 3; i++) m.Update(p, y);   // warm up (JIT tiers)
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) m.Update(p, y);
            _ = m.Result;
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(bytes <= 64, $"{m.Name} ({m.ClassName}): 10 updates allocated {bytes} bytes");
        }
    }
}
