using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using static DeepSharp.Utils;

namespace DeepSharp.Tests.Transfer;

/// <summary>R keras' freeze_weights/unfreeze_weights semantics, and that a change after Compile takes effect at the next step.</summary>
public class FreezeWeightsTests
{
    private static Sequential FiveLayers() => new(
        new Dense(4, activation: "relu", inputDim: 3, name: "a"), new Dense(4, activation: "relu", name: "b"),
        new Dense(4, activation: "relu", name: "c"), new Dense(4, activation: "relu", name: "d"), new Dense(1, activation: "sigmoid", name: "e"));

    private static bool[] Flags(Model m) => m.Layers.Select(l => l.Trainable).ToArray();

    [Fact]
    public void WholeModelFreezesAndUnfreezes()
    {
        var m = FiveLayers();
        FreezeWeights(m);
        Assert.Equal([false, false, false, false, false], Flags(m));
        Assert.Contains("Trainable params: 0", m.SummaryText());
        UnfreezeWeights(m);
        Assert.Equal([true, true, true, true, true], Flags(m));
    }

    [Fact]
    public void RangesFollowRKerasApplyTrainable()
    {
        var m = FiveLayers();
        FreezeWeights(m, from: "b", to: "c");                 // inside frozen, outside trainable
        Assert.Equal([true, false, false, true, true], Flags(m));
        UnfreezeWeights(m, from: "d");                        // the chapter's fine-tuning: from d to the end trainable, before frozen
        Assert.Equal([false, false, false, true, true], Flags(m));
        FreezeWeights(m, to: 1);                              // zero-based index
        Assert.Equal([false, false, true, true, true], Flags(m));
        UnfreezeWeights(m, from: -2);                         // negative counts from the end
        Assert.Equal([false, false, false, true, true], Flags(m));
        FreezeWeights(m, from: m.GetLayer("c"), to: m.GetLayer("c"));
        Assert.Equal([true, true, false, true, true], Flags(m));
        // Trainable counts in Summary follow: a, b, d, e trainable (16+20+20+5), c (20) frozen.
        string text = m.SummaryText();
        Assert.Contains("Trainable params: 61", text);
        Assert.Contains("Non-trainable params: 20", text);
    }

    [Fact]
    public void BadSelectorsNameTheModelsLayers()
    {
        var m = FiveLayers();
        var ex = Assert.Throws<ArgumentException>(() => FreezeWeights(m, from: "block5_conv1"));
        Assert.Contains("block5_conv1", ex.Message);
        Assert.Contains("a, b, c, d, e", ex.Message);
        var ex2 = Assert.Throws<ArgumentOutOfRangeException>(() => UnfreezeWeights(m, from: 5));
        Assert.Contains("0..4", ex2.Message);
        var ex3 = Assert.Throws<ArgumentException>(() => FreezeWeights(m, from: "d", to: "b"));
        Assert.Contains("swap", ex3.Message);
        Assert.Throws<ArgumentException>(() => FreezeWeights(m, from: new Dense(2)));
    }

    [Fact]
    public void FreezingAfterCompileTakesEffectAtTheNextStepWithoutRecompiling()
    {
        Rng.SetSeed(11);
        var m = FiveLayers();
        m.Compile(new RMSprop(learningRate: 1e-2f), "binary_crossentropy");
        var x = GradientCheckData.Random(1, [16, 3]);
        var y = GradientCheckData.Binary(2, 16);

        FreezeWeights(m, to: "c");                           // after Compile
        var before = m.GetWeights();
        m.TrainStep(x, y);
        var after = m.GetWeights();
        for (int i = 0; i < 6; i++) Assert.Equal(before[i].Span.ToArray(), after[i].Span.ToArray());      // a, b, c unchanged
        for (int i = 6; i < 10; i++) Assert.NotEqual(before[i].Span.ToArray(), after[i].Span.ToArray());  // d, e trained
        // Frozen layers never got a gradient buffer.
        Assert.All(m.Layers.Take(3).SelectMany(l => l.Parameters), p => Assert.False(p.HasGradientBuffer, p.Path));

        UnfreezeWeights(m);                                  // and back, still without recompiling
        before = m.GetWeights();
        m.TrainStep(x, y);
        after = m.GetWeights();
        Assert.NotEqual(before[0].Span.ToArray(), after[0].Span.ToArray());
    }

    [Fact]
    public void InferenceNeverAllocatesGradientBuffers()
    {
        Rng.SetSeed(12);
        var inputs = new Input(8, 8, 3);
        var x = new Conv2D(4, (3, 3), activation: "relu").Call(inputs);
        x = new BatchNormalization().Call(x);
        var outputs = new Dense(2, activation: "softmax").Call(new Flatten().Call(x));
        var m = new Model(inputs, outputs);
        m.Predict(GradientCheckData.Random(3, [5, 8, 8, 3]));
        Assert.All(m.Parameters, p => Assert.False(p.HasGradientBuffer, p.Path));
    }
}

/// <summary>Small deterministic inputs for these tests.</summary>
internal static class GradientCheckData
{
    public static Tensor Random(int seed, int[] shape) => DeepSharp.Tests.GradientCheck.Random(seed, shape);

    public static Tensor Binary(int seed, int n)
    {
        var r = new Random(seed);
        var t = new Tensor(n, 1);
        for (int i = 0; i < n; i++) t.Data[i] = r.Next(2);
        return t;
    }
}
