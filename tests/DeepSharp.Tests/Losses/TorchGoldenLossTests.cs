using DeepSharp.Losses;
using DeepSharp.Backends.Cpu;

namespace DeepSharp.Tests.Losses;

/// <summary>
/// Loss values and gradients against PyTorch (4 samples, 5 classes). Fused cases start from the logits z:
/// DeepSharp computes p = softmax(z) or sigmoid(z) with ActivationOps and the loss returns dLoss/dz.
/// Unfused cases start from probabilities p and return dLoss/dp.
/// </summary>
public class TorchGoldenLossTests
{
    /// <remarks>
    /// PyTorch (labels = [2, 0, 4, 1]; onehot = F.one_hot(labels, 5); soft = softmax(2·rand(4, 5)); bits = rand(4, 5) &lt; 0.5):
    /// <code>
    /// categorical_crossentropy_logits:        F.cross_entropy(z, labels)
    /// categorical_crossentropy_soft_logits:   F.cross_entropy(z, soft)          # probability targets
    /// sparse_categorical_crossentropy_logits: F.cross_entropy(z, labels)
    /// binary_crossentropy_logits:             F.binary_cross_entropy_with_logits(z, bits)
    /// loss.backward()   # grad = dLoss/dz
    /// </code>
    /// </remarks>
    [Theory]
    [InlineData("categorical_crossentropy_logits", "categorical_crossentropy")]
    [InlineData("categorical_crossentropy_soft_logits", "categorical_crossentropy")]
    [InlineData("sparse_categorical_crossentropy_logits", "sparse_categorical_crossentropy")]
    [InlineData("binary_crossentropy_logits", "binary_crossentropy")]
    public void FusedWithTheOutputActivation(string name, string loss)
    {
        var c = TorchFixtures.Case(name);
        var (z, targets) = (c.Tensor("input"), c.Tensor("targets"));
        var l = Loss.Get(loss);
        var p = new Tensor(z.ShapeArray);
        ActivationOps.Forward(l.FusedActivation!.Value, z.Span, p.Span, z.Dim(-1));
        var grad = new Tensor(z.ShapeArray);
        double value = l.Compute(p, z, targets, grad.Span);
        Assert.Equal(c.Scalar("loss"), value, 1e-5 * Math.Max(1, Math.Abs(c.Scalar("loss"))));
        c.AssertMatches("grad", grad);
    }

    /// <remarks>
    /// PyTorch, p = sigmoid(z) as a leaf:
    /// <code>
    /// binary_crossentropy:             F.binary_cross_entropy(p, bits)
    /// mean_squared_error:              F.mse_loss(p, soft)      # p = rand(4, 5) here
    /// loss.backward()   # grad = dLoss/dp
    /// </code>
    /// The categorical cases of this file (-Σ y log p on p = softmax(z)) are not Keras 3's gradient: Keras divides p by its
    /// row sum first, which adds Σy/(Σp·N) to every dp. Their values still agree (the rows sum to 1): see
    /// <see cref="CategoricalValuesOnSoftmaxRows"/>; KerasLossGoldenTests checks Keras' gradient on make_names_fixtures.py's cases.
    /// </remarks>
    [Theory]
    [InlineData("binary_crossentropy")]
    [InlineData("mean_squared_error")]
    public void OnProbabilities(string name)
    {
        var c = TorchFixtures.Case(name);
        var (p, targets) = (c.Tensor("input"), c.Tensor("targets"));
        var grad = new Tensor(p.ShapeArray);
        double value = Loss.Get(name).Compute(p, null, targets, grad.Span);
        Assert.Equal(c.Scalar("loss"), value, 1e-5 * Math.Max(1, Math.Abs(c.Scalar("loss"))));
        c.AssertMatches("grad", grad);
    }

    [Theory]
    [InlineData("categorical_crossentropy")]
    [InlineData("sparse_categorical_crossentropy")]
    public void CategoricalValuesOnSoftmaxRows(string name)
    {
        var c = TorchFixtures.Case(name);
        var (p, targets) = (c.Tensor("input"), c.Tensor("targets"));
        double value = Loss.Get(name).Compute(p, null, targets, new float[p.Size]);
        Assert.Equal(c.Scalar("loss"), value, 1e-5 * Math.Max(1, Math.Abs(c.Scalar("loss"))));
    }
}
