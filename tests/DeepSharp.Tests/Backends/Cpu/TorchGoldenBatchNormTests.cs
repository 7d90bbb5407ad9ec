using DeepSharp.Backends.Cpu;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>
/// Batch normalization against PyTorch: training-mode forward and backward, the moving statistics update,
/// and inference mode. Keras' momentum 0.99 is PyTorch's momentum 0.01; epsilon 1e-3.
/// PyTorch updates running_var with the unbiased batch variance, Keras with the biased one: the moving
/// variance is compared with the Keras update the script computes (moving_variance_keras), and the test
/// also checks that it differs from PyTorch's by exactly the factor m/(m-1) on the batch part.
/// </summary>
public class TorchGoldenBatchNormTests
{
    /// <remarks>
    /// PyTorch (images (4, 5, 3, 3) NCHW with BatchNorm2d; vectors (6, 4) with BatchNorm1d):
    /// <code>
    /// bn = nn.BatchNorm2d(c, eps=1e-3, momentum=0.01).double(); bn.weight, bias, running_mean, running_var = random
    /// bn.train(); y = bn(x); (y * dy).sum().backward()                      # dx, dgamma, dbeta
    /// moving_variance_keras = 0.99 * running_var0 + 0.01 * x.var(dim=(0, 2, 3), unbiased=False)
    /// bn.eval(); yi = bn(xi); (yi * dyi).sum().backward()                   # inference_y, inference_dx
    /// </code>
    /// </remarks>
    [Theory]
    [InlineData("batchnorm_images")]
    [InlineData("batchnorm_vectors")]
    public void TrainingForwardBackwardAndMovingStatistics(string name)
    {
        var c = TorchFixtures.Case(name);
        var (x, gamma, beta, dy) = (c.Tensor("x"), c.Tensor("gamma"), c.Tensor("beta"), c.Tensor("dy"));
        var movingMean = c.Tensor("moving_mean");
        var movingVar = c.Tensor("moving_variance");
        int ch = gamma.Size;
        var y = new Tensor(x.ShapeArray);
        float[] mean = new float[ch], invStd = new float[ch];
        BatchNormOp.ForwardTraining(x, gamma, beta, movingMean, movingVar, 0.99f, 1e-3f, y, mean, invStd);
        c.AssertMatches("y", y);
        c.AssertMatches("moving_mean_after", movingMean);
        c.AssertMatches("moving_variance_keras", movingVar);

        // PyTorch's own running_var differs by 0.01·(unbiased - biased) = 0.01·biased/(m-1): make sure the two
        // conventions are really told apart by these numbers (otherwise the comparison above proves little).
        var torchVar = c.Tensor("moving_variance_torch");
        int m = x.Size / ch;
        for (int j = 0; j < ch; j++)
        {
            double biased = 1 / ((double)invStd[j] * invStd[j]) - 1e-3;
            Assert.Equal(0.01 * biased / (m - 1), torchVar[j] - movingVar[j], 4);
            Assert.True(torchVar[j] - movingVar[j] > 1e-4, $"channel {j}: biased and unbiased updates are too close to tell apart");
        }

        var dx = new Tensor(x.ShapeArray);
        var dGamma = new Tensor(ch);
        var dBeta = new Tensor(ch);
        BatchNormOp.Backward(x, gamma, mean, invStd, dy, dx, dGamma, dBeta);
        c.AssertMatches("dx", dx);
        c.AssertMatches("dgamma", dGamma);
        c.AssertMatches("dbeta", dBeta);
    }

    /// <remarks>See the training test; inference runs with PyTorch's running statistics after that step.</remarks>
    [Theory]
    [InlineData("batchnorm_images")]
    [InlineData("batchnorm_vectors")]
    public void Inference(string name)
    {
        var c = TorchFixtures.Case(name);
        var (x, gamma, beta, dy) = (c.Tensor("inference_x"), c.Tensor("gamma"), c.Tensor("beta"), c.Tensor("inference_dy"));
        var movingMean = c.Tensor("moving_mean_after");
        var movingVar = c.Tensor("inference_moving_variance");
        int ch = gamma.Size;
        var y = new Tensor(x.ShapeArray);
        float[] mean = new float[ch], invStd = new float[ch];
        BatchNormOp.ForwardInference(x, gamma, beta, movingMean, movingVar, 1e-3f, y, mean, invStd);
        c.AssertMatches("inference_y", y);
        var dx = new Tensor(x.ShapeArray);
        BatchNormOp.BackwardInference(gamma, invStd, dy, dx);
        c.AssertMatches("inference_dx", dx);
    }
}
