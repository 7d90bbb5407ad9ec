using System.Globalization;
using DeepSharp.Callbacks;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Data;
using static DeepSharp.Tests.Saving.SavingFixtures;

namespace DeepSharp.Tests.Callbacks;

public class ModelCheckpointTests
{
    private static Sequential TinyModel()
    {
        var model = new Sequential(new Dense(6, activation: "relu", inputDim: 4), new Dense(3, activation: "softmax"));
        model.Compile("adam", "categorical_crossentropy", ["accuracy"]);
        return model;
    }

    [Fact]
    public void SavesEveryEpoch_WithFormattedNames()
    {
        using var dir = new TempFolder();
        var model = TinyModel();
        var checkpoint = new ModelCheckpoint(Path.Combine(dir.Path, "ckpt", "m-{epoch:02d}-{val_loss:.2f}.keras"));
        var history = model.Fit(RandomImages(1, 40, 4), RandomOneHot(2, 40, 3), batchSize: 8, epochs: 3, verbose: 0,
            validationSplit: 0.25f, callbacks: [checkpoint]);

        var expected = Enumerable.Range(0, 3).Select(e =>
            Path.Combine(dir.Path, "ckpt", $"m-{e + 1:00}-{history["val_loss"][e].ToString("F2", CultureInfo.InvariantCulture)}.keras")).ToList();
        Assert.Equal(expected, checkpoint.SavedPaths);
        foreach (var p in expected) Assert.True(File.Exists(p), p);
        // The last checkpoint is the trained model.
        var x = RandomImages(3, 5, 4);
        AssertBitIdentical(model.Predict(x).Span, Model.Load(expected[^1]).Predict(x).Span, "last checkpoint");
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(dir.Path, "ckpt")), f => f.Contains(".tmp-"));
    }

    [Fact]
    public void SaveBestOnly_SavesOnlyWhenTheMonitoredValueImproves()
    {
        using var dir = new TempFolder();
        var model = new Sequential(new Dense(32, activation: "relu", inputDim: 4), new Dense(3, activation: "softmax"));
        model.Compile(new DeepSharp.Optimizers.Adam(learningRate: 0.01f), "categorical_crossentropy");
        // Targets unrelated to the inputs and a high learning rate: the model overfits, validation loss soon rises, and those epochs are not saved.
        var checkpoint = new ModelCheckpoint(Path.Combine(dir.Path, "best-{epoch:02d}.weights.h5"), monitor: "val_loss",
            saveBestOnly: true, saveWeightsOnly: true);
        var history = model.Fit(RandomImages(4, 40, 4), RandomOneHot(5, 40, 3), batchSize: 4, epochs: 10, verbose: 0,
            validationSplit: 0.5f, callbacks: [checkpoint]);

        var improvedEpochs = new List<int>();
        double best = double.PositiveInfinity;
        for (int e = 0; e < 10; e++)
            if (history["val_loss"][e] < best) { best = history["val_loss"][e]; improvedEpochs.Add(e + 1); }
        Assert.Equal(improvedEpochs.Select(e => Path.Combine(dir.Path, $"best-{e:00}.weights.h5")), checkpoint.SavedPaths);
        Assert.Equal(best, checkpoint.Best);
        Assert.Equal(improvedEpochs.Count, Directory.GetFiles(dir.Path).Length);
    }

    [Fact]
    public void ModeMax_ForAccuracy_AndMissingMonitor_IsAnError()
    {
        using var dir = new TempFolder();
        var model = TinyModel();
        var byAccuracy = new ModelCheckpoint(Path.Combine(dir.Path, "acc.keras"), monitor: "accuracy", saveBestOnly: true);
        var history = model.Fit(RandomImages(6, 16, 4), RandomOneHot(7, 16, 3), batchSize: 8, epochs: 4, verbose: 0, callbacks: [byAccuracy]);
        Assert.Equal(history["accuracy"].Max(), byAccuracy.Best);

        var noValidation = new ModelCheckpoint(Path.Combine(dir.Path, "v.keras"), monitor: "val_loss", saveBestOnly: true);
        var e = Assert.Throws<ArgumentException>(() =>
            model.Fit(RandomImages(6, 16, 4), RandomOneHot(7, 16, 3), epochs: 1, verbose: 0, callbacks: [noValidation]));
        Assert.Contains("val_loss", e.Message);
        Assert.Contains("accuracy", e.Message);
    }

    [Fact]
    public void FormatPath_FollowsPythonFormatSpecs()
    {
        var logs = new Dictionary<string, double> { ["loss"] = 0.123456, ["val_accuracy"] = 0.87654 };
        Assert.Equal("w-03-0.12.keras", ModelCheckpoint.FormatPath("w-{epoch:02d}-{loss:.2f}.keras", 3, logs));
        Assert.Equal("e12_0.8765_1.235e-01", ModelCheckpoint.FormatPath("e{epoch}_{val_accuracy:.4f}_{loss:.3e}", 12, logs));
        Assert.Equal("plain.keras", ModelCheckpoint.FormatPath("plain.keras", 1, logs));
        var e = Assert.Throws<ArgumentException>(() => ModelCheckpoint.FormatPath("{val_loss:.2f}.keras", 1, logs));
        Assert.Contains("val_loss", e.Message);
        Assert.Contains("val_accuracy", e.Message);
    }

    [Fact]
    public void Constructor_ChecksExtensionAndMode()
    {
        Assert.Contains(".keras", Assert.Throws<ArgumentException>(() => new ModelCheckpoint("model.h5")).Message);
        Assert.Contains(".weights.h5", Assert.Throws<ArgumentException>(() => new ModelCheckpoint("model.keras", saveWeightsOnly: true)).Message);
        Assert.Throws<ArgumentException>(() => new ModelCheckpoint("m.keras", mode: "biggest"));
    }
}
