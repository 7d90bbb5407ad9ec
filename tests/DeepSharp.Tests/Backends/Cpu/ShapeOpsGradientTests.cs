using DeepSharp.Backends.Cpu;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>Dropout (with a fixed mask), zero padding and addition: backward against finite differences.</summary>
public class ShapeOpsGradientTests
{
    [Fact]
    public void DropoutGradientWithAFixedMaskMatchesFiniteDifferences()
    {
        const float rate = 0.4f;
        var x = Random(1, [4, 6]);
        var y = new Tensor(4, 6);
        var mask = new Tensor(4, 6);
        // The same seed on every call: every probe sees the same mask.
        Tensor Forward()
        {
            ShapeOps.DropoutForward(x.Span, y.Span, mask.Span, rate, new System.Random(7));
            return y;
        }
        var dy = Random(2, [4, 6]);
        Forward();
        var dx = new Tensor(4, 6);
        ShapeOps.DropoutBackward(dy.Span, mask.Span, dx.Span);
        CheckOp("dropout: dx", x, Forward, dy, Copy(dx));

        // The mask is inverted dropout's: zeros and 1/(1-rate), both present.
        Assert.All(mask.Span.ToArray(), m => Assert.True(m == 0f || Math.Abs(m - 1 / (1 - rate)) < 1e-6, $"mask value {m}"));
        Assert.Contains(0f, mask.Span.ToArray());
        Assert.Contains(mask.Span.ToArray(), m => m > 0f);
    }

    [Theory]
    [InlineData(1, 2, 0, 3)]
    [InlineData(3, 3, 3, 3)]
    public void ZeroPaddingGradientMatchesFiniteDifferences(int top, int bottom, int left, int right)
    {
        var x = Random(1, [2, 3, 4, 2]);
        var y = new Tensor(2, 3 + top + bottom, 4 + left + right, 2);
        Tensor Forward()
        {
            ShapeOps.ZeroPadForward(x, y, top, left);
            return y;
        }
        var dy = Random(2, y.ShapeArray);
        Forward();
        var dx = new Tensor(x.ShapeArray);
        ShapeOps.ZeroPadBackward(dy, dx, top, left);
        CheckOp("zero padding: dx", x, Forward, dy, Copy(dx));
        Forward();   // the probes left y at the last one's x - h
        Assert.Equal(0f, y[1, 0, 0, 1]);
        Assert.Equal(x[1, 2, 3, 1], y[1, 2 + top, 3 + left, 1]);
    }

    [Fact]
    public void AddHandsTheUpstreamGradientToEveryInput()
    {
        // The backward of y = a + b + c is dy for each input (Add.Backward passes dy on unchanged).
        var inputs = new[] { Random(1, [2, 3, 3, 2]), Random(2, [2, 3, 3, 2]), Random(3, [2, 3, 3, 2]) };
        var y = new Tensor(2, 3, 3, 2);
        Tensor Forward()
        {
            ShapeOps.AddForward(inputs, y);
            return y;
        }
        var dy = Random(4, y.ShapeArray);
        for (int i = 0; i < inputs.Length; i++)
            CheckOp($"add: d(input {i})", inputs[i], Forward, dy, Copy(dy));
    }
}
