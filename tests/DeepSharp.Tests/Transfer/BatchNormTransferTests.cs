using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Backends.Cpu;
using DeepSharp.Optimizers;
using static DeepSharp.Tests.GradientCheck;
using static DeepSharp.Utils;

namespace DeepSharp.Tests.Transfer;

/// <summary>BatchNormalization in transfer learning: frozen = inference mode; called in inference mode but trainable = gamma/beta learn.</summary>
public class BatchNormTransferTests
{
    [Fact]
    public void InferenceModeWeightGradientsMatchFiniteDifferences()
    {
        int c = 4;
        var x = Random(1, [3, 2, 2, c], -2f, 2f);
        var gamma = Random(2, [c], 0.5f, 1.5f);
        var beta = Random(3, [c]);
        var movingMean = Random(5, [c]);
        var movingVar = Random(6, [c], 0.2f, 2f);
        var y = new Tensor(x.ShapeArray);
        float[] mean = new float[c], invStd = new float[c];
        Tensor Forward()
        {
            BatchNormOp.ForwardInference(x, gamma, beta, movingMean, movingVar, 1e-3f, y, mean, invStd);
            return y;
        }
        var dy = Random(4, x.ShapeArray);
        Forward();
        var dx = new Tensor(x.ShapeArray);
        var dGamma = new Tensor(c);
        var dBeta = new Tensor(c);
        BatchNormOp.BackwardInference(x, gamma, mean, invStd, dy, dx, dGamma, dBeta);
        float[] ax = Copy(dx), ag = Copy(dGamma), ab = Copy(dBeta);
        CheckOp("batch norm (inference): dx", x, Forward, dy, ax);
        CheckOp("batch norm (inference): dgamma", gamma, Forward, dy, ag);
        CheckOp("batch norm (inference): dbeta", beta, Forward, dy, ab);
    }

    private static (Model Model, Sequential Base, BatchNormalization Bn) BaseWithHead(bool callInInferenceMode)
    {
        var bn = new BatchNormalization(name: "base_bn");
        var convBase = new Sequential("base", new Conv2D(4, (3, 3), inputShape: (6, 6, 2), name: "base_conv"), bn);
        var inputs = new Input(6, 6, 2);
        var x = callInInferenceMode ? convBase.Call(inputs, training: false) : convBase.Call(inputs);
        var outputs = new Dense(1, activation: "sigmoid", name: "head").Call(new Flatten().Call(x));
        return (new Model(inputs, outputs), convBase, bn);
    }

    private static void TrainTwoSteps(Model model)
    {
        model.Compile(new RMSprop(learningRate: 1e-2f), "binary_crossentropy");
        var x = Random(7, [8, 6, 6, 2], 0f, 3f);
        var y = GradientCheckData.Binary(8, 8);
        model.TrainStep(x, y);
        model.TrainStep(x, y);
    }

    [Fact]
    public void FrozenBatchNormalizationKeepsItsStatisticsAndWeightsAndAllocatesNoGradients()
    {
        Rng.SetSeed(21);
        var (model, convBase, bn) = BaseWithHead(callInInferenceMode: false);
        FreezeWeights(convBase);
        var before = bn.GetWeights();
        TrainTwoSteps(model);
        var after = bn.GetWeights();
        for (int i = 0; i < 4; i++) Assert.Equal(before[i].Span.ToArray(), after[i].Span.ToArray());
        Assert.All(convBase.Parameters, p => Assert.False(p.HasGradientBuffer, p.Path));
    }

    [Fact]
    public void TrainableBatchNormalizationInTrainingModeUpdatesItsStatistics()
    {
        Rng.SetSeed(22);
        var (model, _, bn) = BaseWithHead(callInInferenceMode: false);
        var before = bn.GetWeights();
        TrainTwoSteps(model);
        var after = bn.GetWeights();
        for (int i = 0; i < 4; i++) Assert.NotEqual(before[i].Span.ToArray(), after[i].Span.ToArray());
    }

    [Fact]
    public void TrainableBatchNormalizationCalledInInferenceModeTrainsGammaAndBetaOnly()
    {
        Rng.SetSeed(23);
        var (model, _, bn) = BaseWithHead(callInInferenceMode: true);
        var before = bn.GetWeights();
        TrainTwoSteps(model);
        var after = bn.GetWeights();
        Assert.NotEqual(before[0].Span.ToArray(), after[0].Span.ToArray());   // gamma learns
        Assert.NotEqual(before[1].Span.ToArray(), after[1].Span.ToArray());   // beta learns
        Assert.Equal(before[2].Span.ToArray(), after[2].Span.ToArray());      // moving mean fixed
        Assert.Equal(before[3].Span.ToArray(), after[3].Span.ToArray());      // moving variance fixed
    }

    [Fact]
    public void InferenceModeCallMatchesPredictDuringTraining()
    {
        // The base called with training: false gives the same output in a training forward as in Predict.
        Rng.SetSeed(24);
        var (model, _, _) = BaseWithHead(callInInferenceMode: true);
        model.Compile(new RMSprop(learningRate: 1e-9f), "binary_crossentropy");
        var x = Random(9, [4, 6, 6, 2], 0f, 3f);
        var predicted = model.Predict(x).Span.ToArray();
        var trainingOutput = model.RunForward(x, training: true).Span.ToArray();
        Assert.Equal(predicted, trainingOutput);
    }
}
