using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;

namespace DeepSharp.Tests.Optimizers;

/// <summary>
/// Keras 3's common optimizer arguments beyond the PyTorch-checked steps: names, argument checks, weight-decay exclusion,
/// and the moving average of the weights (use_ema), against base_optimizer.py's formulas written out here.
/// </summary>
public class OptimizerOptionsTests
{
    [Fact]
    public void KerasNames_ResolveWithKerasDefaults()
    {
        var adamw = Assert.IsType<AdamW>(Optimizer.Get("adamw"));
        Assert.Equal((0.004, 1e-3), (adamw.WeightDecay!.Value, adamw.LearningRate));
        var adagrad = Assert.IsType<Adagrad>(Optimizer.Get("Adagrad"));
        Assert.Equal((0.1f, 1e-7f, 1e-3), (adagrad.InitialAccumulatorValue, adagrad.Epsilon, adagrad.LearningRate));
        var nadam = Assert.IsType<Nadam>(Optimizer.Get("nadam"));
        Assert.Equal((0.9f, 0.999f, 1e-7f), (nadam.Beta1, nadam.Beta2, nadam.Epsilon));
        Assert.False(Assert.IsType<Adam>(Optimizer.Get("adam")).Amsgrad);
        Assert.Null(Optimizer.Get("sgd").WeightDecay);
        var model = new Sequential(new Dense(1, inputDim: 2));
        model.Compile(optimizer: "adamw", loss: "mse");
        Assert.Equal("adamw", model.Optimizer!.Name);
        Assert.Contains("adagrad", Assert.Throws<ArgumentException>(() => Optimizer.Get("adadelta")).Message);
    }

    [Fact]
    public void ConflictingOrBadOptions_AreRefusedWithTheirNames()
    {
        var e = Assert.Throws<ArgumentException>(() => new Adam(clipNorm: 1, clipValue: 0.5));
        Assert.Contains("only one of clipNorm, clipValue and globalClipNorm", e.Message);
        Assert.Contains("clipNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(clipNorm: 0)).Message);
        Assert.Contains("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: -1)).Message);
        Assert.Contains("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam(learningRate: 0)).Message);
        Assert.Contains("emaMomentum", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(useEma: true, emaMomentum: 1.5)).Message);
    }

    private static (Dense Layer, Parameter Kernel, Parameter Bias) TinyDense()
    {
        var layer = new Dense(2, inputDim: 2);
        layer.Call(new Input(2));
        layer.Kernel.Value.Span.Fill(1f);
        layer.Parameters[1].Value.Span.Fill(1f);
        return (layer, layer.Kernel, layer.Parameters[1]);
    }

    [Fact]
    public void WeightDecay_SkipsExcludedWeights_AndEveryOtherDecaysByLrTimesDecay()
    {
        var (layer, kernel, bias) = TinyDense();
        var sgd = new SGD(learningRate: 0.1, weightDecay: 0.5);
        sgd.ExcludeFromWeightDecay(varNames: ["bias"]);
        foreach (var p in layer.Parameters) p.Grad.Span.Clear();
        sgd.Apply(layer.Parameters);
        Assert.All(kernel.Value.Span.ToArray(), v => Assert.Equal(1f - 0.5f * 0.1f, v));   // w - w·wd·lr
        Assert.All(bias.Value.Span.ToArray(), v => Assert.Equal(1f, v));
        Assert.Throws<InvalidOperationException>(() => sgd.ExcludeFromWeightDecay(varNames: ["kernel"]));
    }

    [Fact]
    public void MovingAverage_FollowsKerasFormula_OverwritesEveryNSteps_AndFinalizes()
    {
        // SGD(lr 0.1) with gradient 1: w_t = 1 - 0.1 t. EMA momentum 0.5: a_1 = w_1 (momentum 0 on the first step),
        // a_t = 0.5 a_(t-1) + 0.5 w_t; every 3 steps the weights become the average.
        var (layer, kernel, _) = TinyDense();
        var sgd = new SGD(learningRate: 0.1, useEma: true, emaMomentum: 0.5, emaOverwriteFrequency: 3);
        double w = 1, a = 0;
        for (int t = 1; t <= 4; t++)
        {
            foreach (var p in layer.Parameters) p.Grad.Span.Fill(1f);
            sgd.Apply(layer.Parameters);
            w -= 0.1;
            a = t == 1 ? w : 0.5 * a + 0.5 * w;
            if (t % 3 == 0) w = a;
            Assert.Equal(w, kernel.Value.Span[0], 6);
            Assert.Equal(a, sgd.Average(kernel)[0], 6);
        }
        sgd.FinalizeVariableValues(layer.Parameters);
        Assert.Equal(a, kernel.Value.Span[0], 6);

        // Fit ends with the weights set to their averages (Keras: finalize_variable_values after the last epoch).
        var model = new Sequential(new Dense(1, inputDim: 2));
        model.Compile(new SGD(learningRate: 0.05, useEma: true, emaMomentum: 0.9), "mse");
        model.Fit(new Tensor([1f, 2f, 3f, 4f], 2, 2), new Tensor([1f, 0f], 2, 1), epochs: 3, batchSize: 1, verbose: 0);
        var k = model.Parameters[0];
        Assert.Equal(model.Optimizer!.Average(k), k.Value.Span.ToArray());
    }
}
