using DeepSharp.Backends.Cpu;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends.Cpu;

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
    public void ABatchSplitIntoIm2ColChunksGivesTheSameResultsAsOneImageAtATime()
    {
        // 32×32×64 images and a 3×3 kernel: 590k im2col floats per image, so the 4M-float buffer takes 7 images
        // per chunk and a batch of 9 runs as two chunks; the kernel gradient must add up across them.
        int n = 9, hw = 32, c = 64, f = 4;
        var x = Random(1, [n, hw, hw, c]);
        var kernel = Random(2, [3, 3, c, f], -0.1f, 0.1f);
        var g = ConvGeometry.Create(n, hw, hw, c, 3, 3, 1, 1, Padding.Same);
        var y = new Tensor(n, hw, hw, f);
        var dy = Random(3, y.ShapeArray);
        float[]? workspace = null;
        Conv2DOp.Forward(x, kernel, null, y, g, Epilogue.None, ref workspace);
        var dx = new Tensor(x.ShapeArray);
        var dKernel = new Tensor(kernel.ShapeArray);
        Conv2DOp.Backward(x, kernel, dy, dx, dKernel, null, g, ref workspace);

        var sum = new double[kernel.Size];
        var g1 = g with { Batch = 1 };
        for (int i = 0; i < n; i++)
        {
            var (xi, dyi) = (x.Slice(i, 1), dy.Slice(i, 1));
            var yi = new Tensor(1, hw, hw, f);
            var dxi = new Tensor(xi.ShapeArray);
            var dki = new Tensor(kernel.ShapeArray);
            float[]? ws = null;
            Conv2DOp.Forward(xi, kernel, null, yi, g1, Epilogue.None, ref ws);
            Conv2DOp.Backward(xi, kernel, dyi, dxi, dki, null, g1, ref ws);
            AssertNear($"y of image {i}", yi, y.Slice(i, 1));
            AssertNear($"dx of image {i}", dxi, dx.Slice(i, 1));
            for (int j = 0; j < sum.Length; j++) sum[j] += dki.Data[j];
        }
        double scale = sum.Max(Math.Abs);
        for (int j = 0; j < sum.Length; j++)
            Assert.True(Math.Abs(dKernel.Data[j] - sum[j]) < 1e-4 * scale, $"dkernel[{j}] = {dKernel.Data[j]} but the per-image sum is {sum[j]}");
    }

    /// <summary>Equal up to float rounding (a GEMM may block a batch of 1 and a batch of 9 differently).</summary>
    private static void AssertNear(string what, Tensor expected, Tensor actual)
    {
        float scale = Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(expected.Span));
        for (int j = 0; j < expected.Size; j++)
            Assert.True(Math.Abs(expected.Data[j] - actual.Data[j]) <= 1e-5f * scale, $"{what}[{j}]: {actual.Data[j]} vs {expected.Data[j]}");
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
