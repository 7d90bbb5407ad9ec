using System.Text.Json;
using DeepSharp.Gradients;
using DeepSharp.Layers;
using DeepSharp.Optimizers;

namespace DeepSharp.Tests.Optimizers;

/// <summary>
/// Five steps of each optimizer (Adam with AMSGrad, AdamW, SGD with Nesterov momentum, Adagrad, Nadam; with clipnorm,
/// global_clipnorm, clipvalue and weight decay) on a Dense kernel and bias, against PyTorch float64 on the fixtures of
/// tests/fixtures/torch/make_optimizer_fixtures.py (whose docstring says how PyTorch's formulas were made Keras 3's):
/// the weights after every step, and the optimizer's state under Keras' variable names after the last.
/// </summary>
public class TorchOptimizerTests
{
    private static readonly Lazy<JsonElement> Cases = new(() =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", "optimizers.json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: the test project copies it from tests/fixtures/torch (python3 tests/fixtures/torch/make_optimizer_fixtures.py writes it).");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").Clone();
    });

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases.Value.EnumerateObject()) data.Add(c.Name);
        return data;
    }

    /// <summary>The optimizer a Keras config describes, through the constructors' named arguments.</summary>
    private static Optimizer Build(string className, JsonElement c)
    {
        double? N(string key) => c.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        bool B(string key) => c.TryGetProperty(key, out var v) && v.GetBoolean();
        double lr = N("learning_rate")!.Value;
        return className switch
        {
            "Adam" => new Adam(learningRate: lr, beta1: N("beta_1")!.Value, beta2: N("beta_2")!.Value, epsilon: N("epsilon")!.Value, amsgrad: B("amsgrad"),
                weightDecay: N("weight_decay"), clipNorm: N("clipnorm"), clipValue: N("clipvalue"), globalClipNorm: N("global_clipnorm")),
            "AdamW" => new AdamW(learningRate: lr, weightDecay: N("weight_decay")!.Value, beta1: N("beta_1")!.Value, beta2: N("beta_2")!.Value,
                epsilon: N("epsilon")!.Value, amsgrad: B("amsgrad"), clipNorm: N("clipnorm"), clipValue: N("clipvalue"), globalClipNorm: N("global_clipnorm")),
            "SGD" => new SGD(learningRate: lr, momentum: N("momentum")!.Value, nesterov: B("nesterov"),
                weightDecay: N("weight_decay"), clipNorm: N("clipnorm"), clipValue: N("clipvalue"), globalClipNorm: N("global_clipnorm")),
            "Adagrad" => new Adagrad(learningRate: lr, initialAccumulatorValue: N("initial_accumulator_value")!.Value, epsilon: N("epsilon")!.Value,
                weightDecay: N("weight_decay"), clipNorm: N("clipnorm"), clipValue: N("clipvalue"), globalClipNorm: N("global_clipnorm")),
            "Nadam" => new Nadam(learningRate: lr, beta1: N("beta_1")!.Value, beta2: N("beta_2")!.Value, epsilon: N("epsilon")!.Value,
                weightDecay: N("weight_decay"), clipNorm: N("clipnorm"), clipValue: N("clipvalue"), globalClipNorm: N("global_clipnorm")),
            _ => throw new NotSupportedException(className),
        };
    }

    private static float[] Flat(JsonElement nested)
    {
        var list = new List<float>();
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array) foreach (var x in e.EnumerateArray()) Walk(x);
            else list.Add((float)e.GetDouble());
        }
        Walk(nested);
        return list.ToArray();
    }

    private static double[] FlatDouble(JsonElement nested)
    {
        var list = new List<double>();
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array) foreach (var x in e.EnumerateArray()) Walk(x);
            else list.Add(e.GetDouble());
        }
        Walk(nested);
        return list.ToArray();
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void StepsMatchPyTorchFloat64(string name)
    {
        var c = Cases.Value.GetProperty(name);
        var optimizer = Build(c.GetProperty("class").GetString()!, c.GetProperty("config"));
        var layer = new Dense(3, inputDim: 4);
        layer.Call(new Input(4));
        var weights = layer.Parameters;
        var initial = c.GetProperty("initial").EnumerateArray().ToArray();
        for (int i = 0; i < 2; i++) Flat(initial[i]).CopyTo(weights[i].Value.Span);
        var steps = c.GetProperty("gradients").EnumerateArray().ToArray();
        var expected = c.GetProperty("weights").EnumerateArray().ToArray();
        for (int t = 0; t < steps.Length; t++)
        {
            var gs = steps[t].EnumerateArray().ToArray();
            var before = weights.Select(p => p.Value.Span.ToArray()).ToArray();
            optimizer.ApplyGradients([.. weights.Select((p, i) => new WeightGradient(p, new Tensor(Flat(gs[i]), p.Value.ShapeArray)))]);
            var want = expected[t].EnumerateArray().ToArray();
            for (int i = 0; i < 2; i++)
            {
                var e = FlatDouble(want[i]);
                var got = weights[i].Value.Span;
                for (int k = 0; k < e.Length; k++)
                {
                    double update = Math.Abs(e[k] - before[i][k]);
                    Assert.True(Math.Abs(got[k] - e[k]) <= 1e-4 * update + 1e-6 * (1 + Math.Abs(e[k])),
                        $"{name}: step {t + 1}, {weights[i].Name}[{k}] is {got[k]:G9}; PyTorch (float64) gives {e[k]:G9} (this step moved it by {update:G3}).");
                }
            }
        }
        Assert.Equal(steps.Length, optimizer.Iterations);

        // The state under Keras' names, in Keras' order (StateArrays is what .keras files store).
        var state = c.GetProperty("state");
        var arrays = optimizer.StateArrays(weights).ToList();
        foreach (var kind in state.EnumerateObject())
        {
            if (kind.Name == "u_product")
            {
                double u = optimizer.StateScalars.Single(s => s.What == "u_product").Get();
                Assert.Equal(kind.Value[0].GetDouble(), u, 1e-7);
                continue;
            }
            var perWeight = kind.Value.EnumerateArray().ToArray();
            for (int i = 0; i < 2; i++)
            {
                var e = FlatDouble(perWeight[i]);
                var got = arrays.Single(a => a.What == kind.Name && ReferenceEquals(a.Weight, weights[i])).Values;
                // 3e-5: Keras' Nadam computes 1 - β₂ in float32 (ops.cast(beta_2) first), 1.3e-5 away from 0.001.
                double scale = e.Max(Math.Abs);
                for (int k = 0; k < e.Length; k++)
                    Assert.True(Math.Abs(got[k] - e[k]) <= 3e-5 * Math.Abs(e[k]) + 1e-6 * scale,
                        $"{name}: {kind.Name} of {weights[i].Name}[{k}] is {got[k]:G9}; PyTorch gives {e[k]:G9}.");
            }
        }
        Assert.Equal(state.EnumerateObject().Count(k => k.Name != "u_product") * 2, arrays.Count);
    }
}
