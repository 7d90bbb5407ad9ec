using DeepSharp.Backends.Cpu;
using static DeepSharp.Gpu.Tests.GpuUnderTest;

namespace DeepSharp.Gpu.Tests.Backend;

/// <summary>Max pooling and the activations on the GPU backend against the reference backend.</summary>
[Collection("Gpu")]
public class PoolingAndActivationKernelTests
{
    [Theory]
    [InlineData(1, 5, 5, 3, 2, 2, "valid")]   // odd size: the last row and column dropped
    [InlineData(3, 6, 7, 2, 3, 2, "same")]    // overlapping windows (pool 3, stride 2), padded
    [InlineData(3, 4, 4, 1, 2, 2, "same")]
    public void MaxPool_and_its_backward_match_the_reference(int batch, int h, int w, int c, int pool, int stride, string padding)
    {
        var g = ConvGeometry.Create(batch, h, w, c, pool, pool, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);
        var x = Random(20, batch, h, w, c);
        var y = new Tensor(batch, g.OutH, g.OutW, c);
        var argmax = new int[y.Size];
        Reference.MaxPool(x, y, argmax, g);
        var gy = GpuZeros(y.ShapeArray);
        var gpuArgmax = new int[y.Size];
        Ilgpu.MaxPool(OnGpu(x), gy, gpuArgmax, g);
        AssertClose(y, gy, "MaxPool");

        var dy = Random(21, y.ShapeArray);
        var dx = new Tensor(x.ShapeArray);
        Reference.MaxPoolBackward(dy, argmax, dx, g);
        var gdx = GpuZeros(x.ShapeArray);
        Ilgpu.MaxPoolBackward(OnGpu(dy), gpuArgmax, gdx, g);
        AssertClose(dx, gdx, "MaxPoolBackward");

        var inference = GpuZeros(y.ShapeArray);
        Ilgpu.MaxPool(OnGpu(x), inference, null, g);
        AssertClose(y, inference, "MaxPool without winners");
    }

    [Fact]
    public void MaxPoolBackward_with_winners_it_never_recorded_is_one_clear_error()
    {
        var g = ConvGeometry.Create(1, 4, 4, 1, 2, 2, 2, 2, Padding.Valid);
        var error = Assert.Throws<InvalidOperationException>(() => Ilgpu.MaxPoolBackward(GpuZeros(1, 2, 2, 1), new int[4], GpuZeros(1, 4, 4, 1), g));
        Assert.Contains("never filled by IlgpuBackend.MaxPool", error.Message);
    }

    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Softmax)]
    [InlineData(ActivationKind.Linear)]
    public void Activation_and_its_backward_match_the_reference(ActivationKind kind)
    {
        var x = Random(22, 3, 7);
        var y = new Tensor(3, 7);
        Reference.Activation(kind, x, y);
        var gy = GpuZeros(3, 7);
        Ilgpu.Activation(kind, OnGpu(x), gy);
        AssertClose(y, gy, $"{kind}");

        var dy = Random(23, 3, 7);
        var dx = new Tensor(3, 7);
        Reference.ActivationBackward(kind, x, y, dy, dx);
        var gdx = GpuZeros(3, 7);
        Ilgpu.ActivationBackward(kind, OnGpu(x), OnGpu(y), OnGpu(dy), gdx);
        AssertClose(dx, gdx, $"{kind} backward");

        // In place, as layers call it (x and y the same tensor; dy and dx the same tensor).
        var inPlace = OnGpu(x);
        Ilgpu.Activation(kind, inPlace, inPlace);
        AssertClose(y, inPlace, $"{kind} in place");
        var gradient = OnGpu(dy);
        Ilgpu.ActivationBackward(kind, OnGpu(y), OnGpu(y), gradient, gradient);
        AssertClose(dx, gradient, $"{kind} backward in place");
    }

    [Fact]
    public void An_activation_it_does_not_have_is_one_clear_error()
    {
        var error = Assert.Throws<NotSupportedException>(() => Ilgpu.Activation(ActivationKind.Tanh, GpuZeros(2, 3), GpuZeros(2, 3)));
        Assert.Contains("does not have the 'Tanh' activation yet", error.Message);
    }
}
