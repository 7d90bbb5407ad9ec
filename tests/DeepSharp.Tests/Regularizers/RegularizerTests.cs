using System.IO.Compression;
using System.Text.Json.Nodes;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Regularizers;
using DeepSharp.Tests.Data;

namespace DeepSharp.Tests.Regularizers;

/// <summary>
/// Keras' L1, L2 and L1L2 (penalty l1·Σ|w| + l2·Σw², keras/src/regularizers/regularizers.py): the penalty against the
/// formula, its gradient against finite differences, and in training: Fit reports the loss plus the penalty (Keras'
/// compute_loss adds model.losses) and the weights move by the penalty's gradient too; saved and loaded in .keras files.
/// </summary>
public class RegularizerTests
{
    private static Tensor Random(int seed, params int[] shape)
    {
        var r = new System.Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Size; i++) t.Data[i] = (float)(r.NextDouble() * 2 - 1);
        return t;
    }

    private static void CopyWeights(Model from, Model to)
    {
        foreach (var (p, q) in from.Parameters.Zip(to.Parameters)) p.Value.Span.CopyTo(q.Value.Span);
    }

    public static TheoryData<string> Kinds() => ["l1", "l2", "l1_l2", "custom_l1l2"];

    private static Regularizer Make(string kind) => kind == "custom_l1l2" ? new L1L2(l1: 0.03, l2: 0.2) : kind;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Penalty_IsKerasFormula_AndItsGradientMatchesFiniteDifferences(string kind)
    {
        var reg = Make(kind);
        var (l1, l2) = reg switch { L1 a => (a.Factor, 0.0), L2 b => (0.0, b.Factor), L1L2 c => (c.L1, c.L2), _ => throw new InvalidOperationException() };
        var w = Random(3, 5, 7);
        double expected = 0;
        foreach (float v in w.Span) expected += l1 * Math.Abs((double)v) + l2 * (double)v * v;
        Assert.Equal(expected, reg.Call(w), 6);

        var g = new Tensor(5, 7);
        g.Span.Fill(0.5f);   // added into, not overwritten
        reg.AddGradient(w, g, scale: 2);
        const float h = 1e-3f;
        for (int i = 0; i < w.Size; i++)
        {
            float keep = w.Data[i];
            w.Data[i] = keep + h; double up = reg.Call(w);
            w.Data[i] = keep - h; double down = reg.Call(w);
            w.Data[i] = keep;
            double numeric = 0.5 + 2 * (up - down) / (2 * h);
            Assert.True(Math.Abs(g.Data[i] - numeric) <= 2e-3 * (1 + Math.Abs(numeric)), $"{kind}: gradient {i} is {g.Data[i]}, finite differences give {numeric}.");
        }
        // The names' factors, as Keras documents them.
        var names = new Dictionary<string, (double, double)> { ["l1"] = (0.01, 0), ["l2"] = (0, 0.01), ["l1_l2"] = (0.01, 0.01), ["custom_l1l2"] = (0.03, 0.2) };
        Assert.Equal(names[kind], (l1, l2));
    }

    [Fact]
    public void FitReportsTheLossPlusThePenalty_AndTheStepIncludesItsGradient()
    {
        // One batch per epoch, SGD: epoch 1's loss is the data loss + penalty at the starting weights, and the step moves
        // each weight by lr · (data gradient + penalty gradient). The twin model without regularizers gives the data parts.
        var x = Random(1, 8, 6, 6, 2);
        var y = Random(2, 8, 3);
        Sequential Build(bool regularized) => new(
            new Conv2D(3, (3, 3), activation: "relu", inputShape: (6, 6, 2), kernelRegularizer: regularized ? new L2(0.05) : null,
                biasRegularizer: regularized ? new L1(0.02) : null),
            new Flatten(),
            new Dense(3, kernelRegularizer: regularized ? new L1L2(l1: 0.01, l2: 0.03) : null));
        var model = Build(true);
        var twin = Build(false);
        model.Compile(new SGD(learningRate: 0.1), "mse");
        twin.Compile(new SGD(learningRate: 0.1), "mse");
        CopyWeights(model, twin);
        var start = model.Parameters.Select(p => p.Value.Span.ToArray()).ToArray();
        double penalty = 0;
        foreach (var p in model.Parameters)
        {
            var (l1, l2) = (p.Owner, p.Name) switch
            {
                (Conv2D, "kernel") => (0.0, 0.05), (Conv2D, "bias") => (0.02, 0.0), (Dense, "kernel") => (0.01, 0.03), _ => (0.0, 0.0),
            };
            foreach (float v in p.Value.Span) penalty += l1 * Math.Abs((double)v) + l2 * (double)v * v;
        }
        Assert.True(penalty > 0.01);
        var (dataLoss, dataGradients) = twin.ComputeGradients(x, y);
        var grads = dataGradients.Select(g => g.Gradient.Span.ToArray()).ToArray();

        var history = model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(dataLoss + penalty, history["loss"][0], 5);
        var ps = model.Parameters;
        for (int k = 0; k < ps.Count; k++)
        {
            var reg = ps[k].Regularizer;
            var expected = new Tensor(start[k], ps[k].Value.ShapeArray);
            var pg = new Tensor(grads[k], ps[k].Value.ShapeArray);
            reg?.AddGradient(new Tensor(start[k], ps[k].Value.ShapeArray), pg);
            for (int i = 0; i < expected.Size; i++)
                Assert.True(Math.Abs(ps[k].Value.Data[i] - (start[k][i] - 0.1f * pg.Data[i])) <= 1e-5,
                    $"{ps[k].Path}[{i}]: {ps[k].Value.Data[i]} after the step, expected {start[k][i] - 0.1f * pg.Data[i]}.");
        }
        // Evaluate includes the penalty too (at the new weights).
        double newPenalty = model.Parameters.Where(p => p.Regularizer is not null).Sum(p => p.Regularizer!.Call(p.Value));
        CopyWeights(model, twin);
        Assert.Equal(twin.Evaluate(x, y, verbose: 0).Loss + newPenalty, model.Evaluate(x, y, verbose: 0).Loss, 5);
    }

    [Fact]
    public void Regularizers_AreSavedInTheLayersConfig_AndLoadBack()
    {
        using var dir = new TempFolder();
        var model = new Sequential(
            new Conv2D(2, (3, 3), inputShape: (5, 5, 1), kernelRegularizer: "l2", biasRegularizer: new L1L2(l1: 0.001, l2: 0.002)),
            new Flatten(),
            new Dense(2, kernelRegularizer: new L1(0.3)));
        model.Compile("adam", "mse");
        string path = dir.File("r.keras");
        model.Save(path);
        using (var zip = ZipFile.OpenRead(path))
        {
            using var s = zip.GetEntry("config.json")!.Open();
            var layers = JsonNode.Parse(s)!["config"]!["layers"]!.AsArray();
            var conv = layers.Single(l => l!["class_name"]!.GetValue<string>() == "Conv2D")!["config"]!;
            Assert.Equal("L2", conv["kernel_regularizer"]!["class_name"]!.GetValue<string>());
            Assert.Equal("keras.regularizers", conv["kernel_regularizer"]!["module"]!.GetValue<string>());
            Assert.Equal(0.01, conv["kernel_regularizer"]!["config"]!["l2"]!.GetValue<double>());
            var dense = layers.Single(l => l!["class_name"]!.GetValue<string>() == "Dense")!["config"]!;
            Assert.Null(dense["bias_regularizer"]);
        }
        var loaded = Model.Load(path);
        var c = Assert.IsType<Conv2D>(loaded.Layers[0]);
        Assert.Equal(0.01, Assert.IsType<L2>(c.KernelRegularizer).Factor);
        Assert.Equal((0.001, 0.002), (Assert.IsType<L1L2>(c.BiasRegularizer).L1, ((L1L2)c.BiasRegularizer!).L2));
        Assert.Equal(0.3, Assert.IsType<L1>(((Dense)loaded.Layers[2]).KernelRegularizer).Factor);
        Assert.Same(c.KernelRegularizer, c.Kernel.Regularizer);
        var x = Random(5, 3, 5, 5, 1);
        var y = Random(6, 3, 2);
        Assert.Equal(model.Evaluate(x, y, verbose: 0).Loss, loaded.Evaluate(x, y, verbose: 0).Loss, 6);
    }

    [Fact]
    public void BadNamesAndFactors_AreRefusedClearly()
    {
        Assert.Contains("l1_l2", Assert.Throws<ArgumentException>(() => Regularizer.Get("l3")).Message);
        Assert.Contains("l2", Assert.Throws<ArgumentOutOfRangeException>(() => new L2(-1)).Message);
    }
}
