using DeepSharp.Backends.Cpu;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>BatchNormOp backward in training mode (x, gamma, beta) and inference mode (x) against finite differences.</summary>
public class BatchNormOpGradientTests
{
    [Theory]
    [InlineData(new[] { 2, 3, 4, 5 })]   // images: statistics over N, H, W
    [InlineData(new[] { 6, 3 })]         // vectors: statistics over N
    public void TrainingModeGradientsMatchFiniteDifferences(int[] shape)
    {
        int c = shape[^1];
        var x = Random(1, shape, -2f, 3f);
        var gamma = Random(2, [c], 0.5f, 1.5f);
        var beta = Random(3, [c]);
        var movingMean = new Tensor(c);
        var movingVar = Tensor.Full(1f, c);
        var y = new Tensor(shape);
        float[] mean = new float[c], invStd = new float[c];
        Tensor Forward()
        {
            BatchNormOp.ForwardTraining(x, gamma, beta, movingMean, movingVar, 0.99f, 1e-3f, y, mean, invStd);
            return y;
        }
        var dy = Random(4, shape);
        Forward();
        var dx = new Tensor(shape);
        var dGamma = new Tensor(c);
        var dBeta = new Tensor(c);
        BatchNormOp.Backward(x, gamma, mean, invStd, dy, dx, dGamma, dBeta);
        float[] ax = Copy(dx), ag = Copy(dGamma), ab = Copy(dBeta);

        CheckOp("batch norm (training): dx", x, Forward, dy, ax);
        CheckOp("batch norm (training): dgamma", gamma, Forward, dy, ag);
        CheckOp("batch norm (training): dbeta", beta, Forward, dy, ab);
    }

    [Fact]
    public void InferenceModeGradientMatchesFiniteDifferences()
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
        BatchNormOp.BackwardInference(gamma, invStd, dy, dx);
        CheckOp("batch norm (inference): dx", x, Forward, dy, Copy(dx));
    }

    [Fact]
    public void TrainingUpdatesMovingStatisticsWithTheBiasedVarianceLikeKeras()
    {
        // One channel, values 1, 2, 3, 6: mean 3, biased variance (4+1+0+9)/4 = 3.5.
        var x = Tensor.FromArray([1f, 2f, 3f, 6f], 4, 1);
        var movingMean = Tensor.FromArray([0.5f], 1);
        var movingVar = Tensor.FromArray([1f], 1);
        var y = new Tensor(4, 1);
        float[] mean = new float[1], invStd = new float[1];
        BatchNormOp.ForwardTraining(x, Tensor.Full(1f, 1), new Tensor(1), movingMean, movingVar, 0.99f, 1e-3f, y, mean, invStd);
        Assert.Equal(0.5 * 0.99 + 3 * 0.01, movingMean[0], 6);
        Assert.Equal(1 * 0.99 + 3.5 * 0.01, movingVar[0], 6);
        Assert.Equal((1 - 3) / Math.Sqrt(3.5 + 1e-3), y[0, 0], 5);
    }
}
