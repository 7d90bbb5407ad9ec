using DeepSharp.Backends.Cpu;
using static DeepSharp.Tests.Ops.GradientCheck;

namespace DeepSharp.Tests.Ops;

/// <summary>
/// ActivationOps.Backward (written from the forward's output y) against finite differences of the forward.
/// </summary>
public class ActivationOpsGradientTests
{
    [Theory]
    [InlineData(ActivationKind.Linear)]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Softmax)]
    public void GradientMatchesFiniteDifferences(ActivationKind kind)
    {
        // ReLU's kink is at 0: inputs at least 0.1 away from it, and h = 1e-2, so no probe crosses it.
        var x = kind == ActivationKind.Relu ? AwayFromZero(1, [4, 7], 0.1f, 2f) : Random(1, [4, 7], -2f, 2f);
        var y = new Tensor(4, 7);
        Tensor Forward()
        {
            ActivationOps.Forward(kind, x.Span, y.Span, 7);
            return y;
        }
        var dy = Random(2, [4, 7]);
        Forward();
        var dx = new Tensor(4, 7);
        ActivationOps.Backward(kind, y.Span, dy.Span, dx.Span, 7);
        CheckOp($"{kind}: dx", x, Forward, dy, Copy(dx));
    }

    [Fact]
    public void BackwardMayOverwriteItsUpstreamGradientInPlace()
    {
        // The layers pass the same span as dy and dx; every kind must give the same result as out of place.
        foreach (var kind in Enum.GetValues<ActivationKind>())
        {
            var x = Random(1, [3, 5], -2f, 2f);
            var y = new Tensor(3, 5);
            ActivationOps.Forward(kind, x.Span, y.Span, 5);
            var dy = Random(2, [3, 5]);
            var expected = new Tensor(3, 5);
            ActivationOps.Backward(kind, y.Span, dy.Span, expected.Span, 5);
            ActivationOps.Backward(kind, y.Span, dy.Span, dy.Span, 5);
            Assert.Equal(expected.Span.ToArray(), dy.Span.ToArray());
        }
    }

    [Fact]
    public void SoftmaxIsStableForLargeLogits()
    {
        var y = new float[3];
        ActivationOps.Softmax([1000f, 1001f, 1002f], y);
        Assert.Equal(0.09003057, y[0], 6);
        Assert.Equal(0.24472847, y[1], 6);
        Assert.Equal(0.66524096, y[2], 6);
    }
}
