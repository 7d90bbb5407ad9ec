using DeepSharp.Backends.Cpu;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>
/// Forward outputs and gradients of conv2d, pooling and dense against PyTorch (float64 reference, stored as float32)
/// on the fixtures of tests/fixtures/torch/make_fixtures.py. Each fixture holds x, the weights, y, a random
/// upstream gradient dy, and the gradients of Σ dy ⊙ y. Tolerance: 1e-4 relative + 1e-5 of the tensor's largest value.
/// </summary>
public class TorchGoldenConvPoolDenseTests
{
    /// <remarks>
    /// PyTorch (NCHW/OIHW, then permuted: x.permute(0, 2, 3, 1), w.permute(2, 3, 1, 0)):
    /// <code>
    /// x = rand(2, 3, 5, 6); w = rand(4, 3, kh, kw); b = rand(4)
    /// if padding == "same":   # Keras' rule: top = total // 2, bottom gets the rest
    ///     x = F.pad(x, (left, right, top, bottom))
    /// y = F.conv2d(x, w, b, stride=stride); (y * dy).sum().backward()
    /// </code>
    /// </remarks>
    [Theory]
    [InlineData("conv_3x3_s1_valid")]
    [InlineData("conv_3x3_s1_same")]
    [InlineData("conv_3x3_s2_valid")]
    [InlineData("conv_3x3_s2_same")]
    [InlineData("conv_2x3_s2_same")]
    public void Conv2D(string name)
    {
        var c = TorchFixtures.Case(name);
        var (x, kernel, bias, dy) = (c.Tensor("x"), c.Tensor("kernel"), c.Tensor("bias"), c.Tensor("dy"));
        int stride = (int)c.Scalar("stride");
        var g = ConvGeometry.Create(x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3), kernel.Dim(0), kernel.Dim(1), stride, stride,
            c.Text("padding") == "same" ? Padding.Same : Padding.Valid);
        var y = new Tensor(g.Batch, g.OutH, g.OutW, kernel.Dim(3));
        float[]? workspace = null;
        Conv2DOp.Forward(x, kernel, bias, y, g, Epilogue.None, ref workspace);
        c.AssertMatches("y", y);

        var dx = new Tensor(x.ShapeArray);
        var dKernel = new Tensor(kernel.ShapeArray);
        var dBias = new Tensor(bias.ShapeArray);
        Conv2DOp.Backward(x, kernel, dy, dx, dKernel, dBias, g, ref workspace);
        c.AssertMatches("dx", dx);
        c.AssertMatches("dkernel", dKernel);
        c.AssertMatches("dbias", dBias);
    }

    /// <remarks>
    /// PyTorch: x has distinct values (a shuffled grid) so there are no ties.
    /// <code>
    /// y = F.max_pool2d(F.pad(x, (left, right, top, bottom), value=float("-inf")), pool, stride)
    /// (y * dy).sum().backward()
    /// </code>
    /// </remarks>
    [Theory]
    [InlineData("maxpool_2_s2_valid")]
    [InlineData("maxpool_3_s2_valid")]
    [InlineData("maxpool_3_s2_same")]
    [InlineData("maxpool_3_s1_same")]
    public void MaxPooling(string name)
    {
        var c = TorchFixtures.Case(name);
        var (x, dy, g) = Pooling(c);
        var y = new Tensor(dy.ShapeArray);
        var argmax = new int[y.Size];
        PoolingOps.MaxForward(x, y, argmax, g);
        c.AssertMatches("y", y);
        var dx = new Tensor(x.ShapeArray);
        PoolingOps.MaxBackward(dy, argmax, dx, g);
        c.AssertMatches("dx", dx);
    }

    /// <remarks>
    /// PyTorch: Keras' "same" average counts only real inputs (TF avg_pool), so it is a ratio of two sum-pools:
    /// <code>
    /// pad = (left, right, top, bottom)
    /// y = F.avg_pool2d(F.pad(x, pad), pool, stride) / F.avg_pool2d(F.pad(ones_like(x), pad), pool, stride)
    /// (y * dy).sum().backward()
    /// </code>
    /// </remarks>
    [Theory]
    [InlineData("avgpool_2_s2_valid")]
    [InlineData("avgpool_3_s2_valid")]
    [InlineData("avgpool_3_s2_same")]
    [InlineData("avgpool_3_s1_same")]
    public void AveragePooling(string name)
    {
        var c = TorchFixtures.Case(name);
        var (x, dy, g) = Pooling(c);
        var y = new Tensor(dy.ShapeArray);
        PoolingOps.AverageForward(x, y, g);
        c.AssertMatches("y", y);
        var dx = new Tensor(x.ShapeArray);
        PoolingOps.AverageBackward(dy, dx, g);
        c.AssertMatches("dx", dx);
    }

    /// <remarks>PyTorch: <c>y = x.mean(dim=(2, 3)); (y * dy).sum().backward()</c> with x (2, 5, 3, 4) NCHW.</remarks>
    [Fact]
    public void GlobalAveragePooling()
    {
        var c = TorchFixtures.Case("global_avgpool");
        var (x, dy) = (c.Tensor("x"), c.Tensor("dy"));
        var y = new Tensor(dy.ShapeArray);
        PoolingOps.GlobalAverageForward(x, y);
        c.AssertMatches("y", y);
        var dx = new Tensor(x.ShapeArray);
        PoolingOps.GlobalAverageBackward(dy, dx);
        c.AssertMatches("dx", dx);
    }

    /// <remarks>
    /// PyTorch (Linear's weight is (out, in); Keras' kernel is its transpose, w.t()):
    /// <code>
    /// x = rand(3, 7); w = rand(5, 7); b = rand(5)
    /// y = F.linear(x, w, b); (y * dy).sum().backward()
    /// </code>
    /// </remarks>
    [Fact]
    public void Dense()
    {
        var c = TorchFixtures.Case("dense");
        var (x, kernel, bias, dy) = (c.Tensor("x"), c.Tensor("kernel"), c.Tensor("bias"), c.Tensor("dy"));
        var y = new Tensor(dy.ShapeArray);
        DenseOp.Forward(x, kernel, bias, y);
        c.AssertMatches("y", y);
        var dx = new Tensor(x.ShapeArray);
        var dKernel = new Tensor(kernel.ShapeArray);
        var dBias = new Tensor(bias.ShapeArray);
        DenseOp.Backward(x, kernel, dy, dx, dKernel, dBias);
        c.AssertMatches("dx", dx);
        c.AssertMatches("dkernel", dKernel);
        c.AssertMatches("dbias", dBias);
    }

    private static (Tensor X, Tensor Dy, ConvGeometry G) Pooling(TorchCase c)
    {
        var (x, dy) = (c.Tensor("x"), c.Tensor("dy"));
        int pool = (int)c.Scalar("pool"), stride = (int)c.Scalar("stride");
        var g = ConvGeometry.Create(x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3), pool, pool, stride, stride,
            c.Text("padding") == "same" ? Padding.Same : Padding.Valid);
        Assert.Equal(dy.ShapeArray, new[] { g.Batch, g.OutH, g.OutW, g.InC });
        return (x, dy, g);
    }
}
