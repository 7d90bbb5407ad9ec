using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSharp.Callbacks;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Optimizers.Schedules;

namespace DeepSharp.Tests.Optimizers.Schedules;

/// <summary>
/// The learning-rate schedules against Keras 3's formulas (written out in float64 by
/// tests/fixtures/torch/make_optimizer_fixtures.py), their configs, and how an optimizer evaluates them per step.
/// </summary>
public class ScheduleTests
{
    private static readonly Lazy<JsonElement> Fixture = new(() =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", "optimizers.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("schedules").Clone();
    });

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in Fixture.Value.EnumerateObject()) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ValuesMatchKerasFormulas_AndTheConfigRebuildsTheSameSchedule(string name)
    {
        var c = Fixture.Value.GetProperty(name);
        // Built from the Keras config, as a .keras file's compile_config would be read.
        var json = new JsonObject { ["class_name"] = c.GetProperty("class").GetString(), ["config"] = JsonNode.Parse(c.GetProperty("config").GetRawText()) };
        var schedule = LearningRateSchedule.Deserialize(json)!;
        var again = LearningRateSchedule.Deserialize(schedule.Serialize())!;
        var steps = c.GetProperty("steps").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var values = c.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int i = 0; i < steps.Length; i++)
        {
            Assert.True(Math.Abs(schedule.Call(steps[i]) - values[i]) <= 1e-12 * (1 + Math.Abs(values[i])),
                $"{name} at step {steps[i]}: {schedule.Call(steps[i]):G17}; Keras' formula gives {values[i]:G17}.");
            Assert.Equal(schedule.Call(steps[i]), again.Call(steps[i]));
        }
        Assert.Equal(JsonSerializer.Serialize(schedule.GetConfig()), JsonSerializer.Serialize(again.GetConfig()));
    }

    [Fact]
    public void TheOptimizerEvaluatesItsScheduleAtEachStepsIterationCount()
    {
        // lr(0) = lr(1) = 1 (steps up to and including boundary 1), then 0.5; gradient 1 everywhere, SGD without momentum.
        var optimizer = new SGD(learningRate: new PiecewiseConstantDecay([1], [1.0, 0.5]));
        var layer = new Dense(1, useBias: false, inputDim: 1);
        layer.Call(new Input(1));
        var p = layer.Parameters[0];
        p.Value.Span[0] = 10;
        var rates = new List<double>();
        for (int t = 0; t < 3; t++)
        {
            rates.Add(optimizer.LearningRate);
            p.Grad.Span[0] = 1;
            optimizer.Apply(layer.Parameters);
        }
        Assert.Equal([1.0, 1.0, 0.5], rates);
        Assert.Equal(10 - 1 - 1 - 0.5, p.Value.Span[0]);
        Assert.Equal(0.5, optimizer.LearningRate);
    }

    [Fact]
    public void SettingTheRateOfAScheduleDrivenOptimizer_FailsClearly_AlsoThroughACallback()
    {
        var optimizer = new Adam(learningRate: new ExponentialDecay(1e-3, 100, 0.9));
        var e = Assert.Throws<InvalidOperationException>(() => optimizer.LearningRate = 1e-4);
        Assert.Contains("ExponentialDecay", e.Message);
        Assert.Contains("cannot be set", e.Message);

        var model = new Sequential(new Dense(1, inputDim: 2));
        model.Compile(new SGD(learningRate: new CosineDecay(0.1, 10)), "mse");
        var x = new Tensor([1f, 2f, 3f, 4f], 2, 2);
        var y = new Tensor([1f, 0f], 2, 1);
        var fit = Assert.Throws<InvalidOperationException>(() =>
            model.Fit(x, y, epochs: 1, verbose: 0, callbacks: [new LearningRateScheduler((epoch, lr) => lr / 2)]));
        Assert.Contains("CosineDecay", fit.Message);
        Assert.Contains("LearningRateScheduler", fit.Message);
        // A schedule trains, and the epoch logs of ReduceLROnPlateau-style readers see the current rate.
        model.Fit(x, y, epochs: 2, verbose: 0);
        Assert.Equal(new CosineDecay(0.1, 10).Call(model.Optimizer!.Iterations), model.Optimizer.LearningRate);
    }

    [Fact]
    public void BadArguments_AreRefusedWithTheirNames()
    {
        Assert.Contains("decaySteps", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1, 0, 0.5)).Message);
        Assert.Contains("one more than", Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([10, 20], [1.0, 0.5])).Message);
        Assert.Contains("increase", Assert.Throws<ArgumentException>(() => new PiecewiseConstantDecay([20, 10], [1.0, 0.5, 0.1])).Message);
        Assert.Contains("warmupSteps", Assert.Throws<ArgumentException>(() => new CosineDecay(0, 10, warmupTarget: 1e-3)).Message);
    }
}
