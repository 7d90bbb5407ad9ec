using DeepSharp.Backends.Cpu;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>Max, average and global average pooling backward against finite differences.</summary>
public class PoolingOpsGradientTests
{
    [Theory]
    [InlineData(2, 2, "valid")]
    [InlineData(3, 2, "valid")]   // overlapping windows: an input can win in two windows
    [InlineData(2, 2, "same")]
    [InlineData(3, 2, "same")]
    public void MaxPoolingGradientMatchesFiniteDifferences(int pool, int stride, string padding)
    {
        // Distinct values 2/180 apart and h = 1e-3: no ties, and no probe changes a window's winner.
        var x = Distinct(1, [2, 5, 6, 3]);
        var g = ConvGeometry.Create(2, 5, 6, 3, pool, pool, stride, stride, Parse(padding));
        var y = new Tensor(2, g.OutH, g.OutW, 3);
        var argmax = new int[y.Size];
        Tensor Forward()
        {
            PoolingOps.MaxForward(x, y, argmax, g);
            return y;
        }
        var dy = Random(2, y.ShapeArray);
        Forward();
        var dx = new Tensor(x.ShapeArray);
        PoolingOps.MaxBackward(dy, argmax, dx, g);
        CheckOp($"max pool {pool}/{stride} {padding}: dx", x, Forward, dy, Copy(dx), h: 1e-3f);
    }

    [Theory]
    [InlineData(2, 2, "valid")]
    [InlineData(3, 1, "valid")]
    [InlineData(2, 2, "same")]
    [InlineData(3, 2, "same")]
    [InlineData(3, 1, "same")]    // windows at the border count only their real inputs
    public void AveragePoolingGradientMatchesFiniteDifferences(int pool, int stride, string padding)
    {
        var x = Random(1, [2, 5, 6, 3]);
        var g = ConvGeometry.Create(2, 5, 6, 3, pool, pool, stride, stride, Parse(padding));
        var y = new Tensor(2, g.OutH, g.OutW, 3);
        Tensor Forward()
        {
            PoolingOps.AverageForward(x, y, g);
            return y;
        }
        var dy = Random(2, y.ShapeArray);
        Forward();
        var dx = new Tensor(x.ShapeArray);
        PoolingOps.AverageBackward(dy, dx, g);
        CheckOp($"average pool {pool}/{stride} {padding}: dx", x, Forward, dy, Copy(dx));
    }

    [Fact]
    public void GlobalAveragePoolingGradientMatchesFiniteDifferences()
    {
        var x = Random(1, [2, 4, 3, 5]);
        var y = new Tensor(2, 5);
        Tensor Forward()
        {
            PoolingOps.GlobalAverageForward(x, y);
            return y;
        }
        var dy = Random(2, [2, 5]);
        Forward();
        var dx = new Tensor(x.ShapeArray);
        PoolingOps.GlobalAverageBackward(dy, dx);
        CheckOp("global average pool: dx", x, Forward, dy, Copy(dx));
    }

    [Fact]
    public void AveragePoolingSameDividesByTheRealInputsOnly()
    {
        // A 3×3 window at the corner of a "same" stride-1 pooling covers 2×2 real inputs: Keras averages those 4.
        var x = Tensor.Full(1f, 1, 3, 3, 1);
        var g = ConvGeometry.Create(1, 3, 3, 1, 3, 3, 1, 1, Padding.Same);
        var y = new Tensor(1, 3, 3, 1);
        PoolingOps.AverageForward(x, y, g);
        Assert.All(y.Span.ToArray(), v => Assert.Equal(1f, v, 6));
    }

    private static Padding Parse(string p) => p == "same" ? Padding.Same : Padding.Valid;
}
