using DeepSharp.Backends.Cpu;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>
/// ActivationOps.Backward (from the forward's input x and output y) against finite differences of the forward, for every
/// activation kind.
/// </summary>
public class ActivationOpsGradientTests
{
    public static TheoryData<ActivationKind> Kinds => new(Enum.GetValues<ActivationKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GradientMatchesFiniteDifferences(ActivationKind kind)
    {
        // Inputs in [-7, 7] (relu6's and hard_sigmoid's flat parts included), at least 0.1 away from the kinks at 0, ±3
        // and 6, with h = 1e-2: no probe crosses one.
        var x = AwayFromKinks(1, [4, 7]);
        var y = new Tensor(4, 7);
        Tensor Forward()
        {
            ActivationOps.Forward(kind, x.Span, y.Span, 7);
            return y;
        }
        var dy = Random(2, [4, 7]);
        Forward();
        var dx = new Tensor(4, 7);
        ActivationOps.Backward(kind, x.Span, y.Span, dy.Span, dx.Span, 7);
        CheckOp($"{kind}: dx", x, Forward, dy, Copy(dx));
    }

    private static Tensor AwayFromKinks(int seed, int[] shape)
    {
        var x = Random(seed, shape, -7f, 7f);
        for (int i = 0; i < x.Size; i++)
            foreach (float kink in (float[])[0f, -3f, 3f, 6f])
                if (Math.Abs(x.Data[i] - kink) < 0.1f) x.Data[i] = kink + 0.2f;
        return x;
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
            ActivationOps.Backward(kind, x.Span, y.Span, dy.Span, expected.Span, 5);
            ActivationOps.Backward(kind, x.Span, y.Span, dy.Span, dy.Span, 5);
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
