using System.IO.Compression;
using System.Text.Json.Nodes;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Optimizers.Schedules;
using DeepSharp.Tests.Data;
using PureHDF;
using static DeepSharp.Tests.Saving.SavingFixtures;

namespace DeepSharp.Tests.Saving;

/// <summary>
/// The Keras 3 optimizers' state and config in a <c>.keras</c> file: every optimizer (with its options and a schedule)
/// saves, loads back with the same config, state and next step, in Keras 3's variable order.
/// </summary>
public class OptimizerStateTests
{
    public static TheoryData<string> Optimizers() => ["adam_amsgrad", "adamw", "adagrad", "nadam", "sgd_nesterov", "rmsprop_momentum", "adam_schedule", "sgd_ema"];

    private static Optimizer Make(string which) => which switch
    {
        "adam_amsgrad" => new Adam(learningRate: 3e-3, amsgrad: true, clipNorm: 1.0),
        "adamw" => new AdamW(learningRate: 3e-3, weightDecay: 0.01, globalClipNorm: 2.0),
        "adagrad" => new Adagrad(learningRate: 0.05, initialAccumulatorValue: 0.2, clipValue: 0.5),
        "nadam" => new Nadam(learningRate: 2e-3, weightDecay: 0.004),
        "sgd_nesterov" => new SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3),
        "rmsprop_momentum" => new RMSprop(learningRate: 1e-3, momentum: 0.5),
        "adam_schedule" => new Adam(learningRate: new CosineDecay(1e-3, decaySteps: 10, alpha: 0.1, warmupTarget: 3e-3, warmupSteps: 2)),
        _ => new SGD(learningRate: 0.05, momentum: 0.9, useEma: true, emaMomentum: 0.9, emaOverwriteFrequency: 5),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void SavedOptimizer_LoadsWithItsConfigAndState_AndTakesTheSameNextStep(string which)
    {
        using var dir = new TempFolder();
        // No Dropout: the next steps of both models must be the same computation.
        var model = new Sequential(new Conv2D(4, (3, 3), activation: "relu", inputShape: (8, 8, 2)), new BatchNormalization(),
            new Flatten(), new Dense(3, activation: "softmax"));
        model.Compile(Make(which), "categorical_crossentropy", ["accuracy"]);
        var x = RandomImages(4, 6, 8, 8, 2);
        var y = RandomOneHot(5, 6, 3);
        for (int i = 0; i < 3; i++) model.TrainStep(x, y);
        string path = dir.File("m.keras");
        model.Save(path);
        var loaded = Model.Load(path);

        var (a, b) = (model.Optimizer!, loaded.Optimizer!);
        Assert.Equal(a.GetType(), b.GetType());
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(a.GetConfig()), System.Text.Json.JsonSerializer.Serialize(b.GetConfig()));
        Assert.Equal(3, b.Iterations);
        var pa = model.Parameters.Where(p => p.Trainable).ToList();
        var pb = loaded.Parameters.Where(p => p.Trainable).ToList();
        var sa = a.StateArrays(pa).ToList();
        var sb = b.StateArrays(pb).ToList();
        Assert.Equal(sa.Count, sb.Count);
        for (int i = 0; i < sa.Count; i++)
        {
            Assert.Equal(sa[i].What, sb[i].What);
            Assert.Equal(sa[i].Values, sb[i].Values);
        }
        Assert.Equal(a.StateScalars.Select(s => (float)s.Get()), b.StateScalars.Select(s => (float)s.Get()));
        Assert.Equal(model.TrainStep(x, y), loaded.TrainStep(x, y));
        AssertSameWeights(model, loaded);
    }

    [Fact]
    public void AdamState_IsInterleavedPerWeight_AsKeras3Writes_AndAScheduleLeavesOutTheLearningRate()
    {
        using var dir = new TempFolder();
        var model = new Sequential(new Dense(3, inputDim: 4), new Dense(2, activation: "softmax"));
        model.Compile(new Adam(amsgrad: true), "categorical_crossentropy");
        model.TrainStep(RandomImages(1, 5, 4), RandomOneHot(2, 5, 2));
        string path = dir.File("m.keras");
        model.Save(path);
        using (var zip = ZipFile.OpenRead(path))
        using (var h5 = H5File.Open(new MemoryStream(ReadBytes(zip, "model.weights.h5")), leaveOpen: false))
        {
            // iterations, learning_rate, then momentum/velocity of kernel 0, of bias 0, of kernel 1, of bias 1, then the 4 velocity_hats.
            int[][] shapes = [[4, 3], [4, 3], [3], [3], [3, 2], [3, 2], [2], [2], [4, 3], [3], [3, 2], [2]];
            Assert.Equal(2 + shapes.Length, h5.Group("optimizer/vars").Children().Count());
            for (int i = 0; i < shapes.Length; i++)
                Assert.Equal(shapes[i].Select(d => (ulong)d), h5.Dataset($"optimizer/vars/{i + 2}").Space.Dimensions);
        }

        var scheduled = new Sequential(new Dense(3, inputDim: 4));
        scheduled.Compile(new SGD(learningRate: new ExponentialDecay(0.1, 10, 0.5)), "mse");
        scheduled.TrainStep(RandomImages(1, 5, 4), RandomImages(2, 5, 3));
        string path2 = dir.File("s.keras");
        scheduled.Save(path2);
        using (var zip = ZipFile.OpenRead(path2))
        {
            using var h5 = H5File.Open(new MemoryStream(ReadBytes(zip, "model.weights.h5")), leaveOpen: false);
            Assert.Single(h5.Group("optimizer/vars").Children());   // Keras tracks no learning_rate variable under a schedule
            var config = JsonNode.Parse(ReadText(zip, "config.json"))!;
            var rate = config["compile_config"]!["optimizer"]!["config"]!["learning_rate"]!;
            Assert.Equal("ExponentialDecay", rate["class_name"]!.GetValue<string>());
            Assert.Equal(0.5, rate["config"]!["decay_rate"]!.GetValue<double>());
        }
        var loaded = Model.Load(path2);
        var schedule = Assert.IsType<ExponentialDecay>(loaded.Optimizer!.Schedule);
        Assert.Equal((10L, 0.1), (schedule.DecaySteps, schedule.InitialLearningRate));
        Assert.Equal(0.1 * Math.Pow(0.5, 0.1), loaded.Optimizer.LearningRate, 12);   // evaluated at the loaded iterations, 1
    }

    private static byte[] ReadBytes(ZipArchive zip, string entry)
    {
        using var s = zip.GetEntry(entry)!.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    private static string ReadText(ZipArchive zip, string entry) => System.Text.Encoding.UTF8.GetString(ReadBytes(zip, entry));
}
