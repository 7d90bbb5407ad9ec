using DeepSharp.Compute;
using DeepSharp.Ops;
using static DeepSharp.Tests.Ops.GradientCheck;

namespace DeepSharp.Tests.Ops;

/// <summary>Conv2DOp's backward (input, kernel and bias gradients) against finite differences.</summary>
public class Conv2DOpGradientTests
{
    [Theory]
    [InlineData(3, 3, 1, "valid", true)]
    [InlineData(3, 3, 1, "same", true)]
    [InlineData(3, 3, 2, "valid", true)]
    [InlineData(3, 3, 2, "same", false)]
    [InlineData(2, 3, 1, "same", true)]     // non-square kernel, even height: "same" pads only the bottom row
    [InlineData(3, 2, 2, "same", true)]     // non-square kernel with stride 2: Keras pads bottom/right more
    [InlineData(1, 1, 1, "valid", true)]    // 1×1: the pointwise (plain GEMM) path
    [InlineData(1, 1, 2, "valid", false)]   // 1×1 with stride 2: the im2col path
    public void GradientsMatchFiniteDifferences(int kh, int kw, int stride, string padding, bool useBias)
    {
        int n = 2, h = 5, w = 6, c = 3, f = 4;
        var x = Random(1, [n, h, w, c]);
        var kernel = Random(2, [kh, kw, c, f], -0.5f, 0.5f);
        var bias = useBias ? Random(3, [f]) : null;
        var g = ConvGeometry.Create(n, h, w, c, kh, kw, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var y = new Tensor(n, g.OutH, g.OutW, f);
        float[]? workspace = null;
        Tensor Forward()
        {
            Conv2DOp.Forward(x, kernel, bias, y, g, Epilogue.None, ref workspace);
            return y;
        }
        var dy = Random(4, y.ShapeArray);
        Forward();
        var dx = new Tensor(x.ShapeArray);
        var dKernel = new Tensor(kernel.ShapeArray);
        var dBias = useBias ? new Tensor(f) : null;
        Conv2DOp.Backward(x, kernel, dy, dx, dKernel, dBias, g, ref workspace);
        float[] ax = Copy(dx), ak = Copy(dKernel), ab = dBias is null ? [] : Copy(dBias);

        string name = $"conv {kh}×{kw} stride {stride} {padding}";
        CheckOp($"{name}: dx", x, Forward, dy, ax);
        CheckOp($"{name}: dkernel", kernel, Forward, dy, ak);
        if (bias is not null) CheckOp($"{name}: dbias", bias, Forward, dy, ab);
    }

    [Fact]
    public void SamePaddingWithStride2PadsBottomAndRightMoreLikeKeras()
    {
        // Keras/TF: out = ceil(in/stride), pad_total = max((out-1)·stride + k - in, 0), top = total/2 (floor).
        var g = ConvGeometry.Create(1, 6, 5, 1, 3, 3, 2, 2, Padding.Same);
        Assert.Equal((3, 3), (g.OutH, g.OutW));
        Assert.Equal(0, g.PadTop);     // total 1 on the height: 0 on top, 1 at the bottom
        Assert.Equal(1, g.PadLeft);    // total 2 on the width: 1 left, 1 right
    }
}
