using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using static DeepSharp.Gpu.Tests.GpuUnderTest;

namespace DeepSharp.Gpu.Tests.Backend;

/// <summary>
/// Convolution and dense, forward and backward, on the GPU backend against the reference backend (plain loops, double
/// sums) on small odd shapes: strides 1 and 2, "same" and "valid", batch 1 and 3, with and without the ReLU epilogue and bias.
/// </summary>
[Collection("Gpu")]
public class LinearKernelTests
{
    public static TheoryData<int, int, int, int, int, int, int, string, bool, bool> ConvCases => new()
    {
        // batch, h, w, c, k, filters, stride, padding, relu, bias
        { 1, 5, 5, 2, 3, 3, 1, "same", true, true },
        { 3, 7, 6, 3, 3, 4, 2, "valid", false, true },
        { 3, 6, 5, 2, 3, 5, 2, "same", true, false },
        { 1, 4, 4, 1, 3, 2, 1, "valid", true, true },     // a first layer (one input channel)
        { 3, 5, 7, 4, 1, 3, 1, "valid", false, true },    // 1×1
        { 3, 9, 9, 3, 5, 17, 2, "same", true, true },     // more filters than one GEMM tile
    };

    private static ConvGeometry Geometry(int batch, int h, int w, int c, int k, int stride, string padding) =>
        ConvGeometry.Create(batch, h, w, c, k, k, stride, stride, padding == "same" ? Padding.Same : Padding.Valid);

    [Theory, MemberData(nameof(ConvCases))]
    public void Conv2D_matches_the_reference(int batch, int h, int w, int c, int k, int filters, int stride, string padding, bool relu, bool bias)
    {
        var g = Geometry(batch, h, w, c, k, stride, padding);
        var x = Random(1, batch, h, w, c);
        var kernel = Random(2, k, k, c, filters);
        var b = bias ? Random(3, filters) : null;
        var expected = new Tensor(batch, g.OutH, g.OutW, filters);
        Reference.Conv2D(x, kernel, b, expected, g, relu, new BackendScratch());

        var y = GpuZeros(batch, g.OutH, g.OutW, filters);
        Ilgpu.Conv2D(OnGpu(x), OnGpu(kernel), b is null ? null : OnGpu(b), y, g, relu, new BackendScratch());
        AssertClose(expected, y, $"Conv2D {padding} stride {stride}");
    }

    [Theory, MemberData(nameof(ConvCases))]
    public void Conv2DBackward_matches_the_reference(int batch, int h, int w, int c, int k, int filters, int stride, string padding, bool relu, bool bias)
    {
        var g = Geometry(batch, h, w, c, k, stride, padding);
        var x = Random(4, batch, h, w, c);
        var kernel = Random(5, k, k, c, filters);
        var y = new Tensor(batch, g.OutH, g.OutW, filters);
        Reference.Conv2D(x, kernel, bias ? Random(6, filters) : null, y, g, relu, new BackendScratch());
        var dy = Random(7, batch, g.OutH, g.OutW, filters);
        var (dx, dKernel, dBias) = (new Tensor(x.ShapeArray), new Tensor(kernel.ShapeArray), new Tensor(filters));
        Reference.Conv2DBackward(x, kernel, y, dy, relu, dx, dKernel, dBias, g, new BackendScratch());

        var (gdx, gdKernel, gdBias) = (GpuZeros(x.ShapeArray), GpuZeros(kernel.ShapeArray), GpuZeros(filters));
        var scratch = new BackendScratch();
        Ilgpu.Conv2DBackward(OnGpu(x), OnGpu(kernel), OnGpu(y), OnGpu(dy), relu, gdx, gdKernel, gdBias, g, scratch);
        AssertClose(dx, gdx, "Conv2DBackward dx");
        AssertClose(dKernel, gdKernel, "Conv2DBackward dKernel");
        AssertClose(dBias, gdBias, "Conv2DBackward dBias");
        if (relu) Assert.Same(GpuUnderTest.Device, scratch.Gradient!.Device);   // the masked dy lives on the device
    }

    [Theory]
    [InlineData(1, 7, 5, true, true)]
    [InlineData(3, 7, 5, false, true)]
    [InlineData(3, 20, 17, true, false)]
    public void Dense_and_its_backward_match_the_reference(int batch, int inputs, int outputs, bool relu, bool bias)
    {
        var x = Random(8, batch, inputs);
        var kernel = Random(9, inputs, outputs);
        var b = bias ? Random(10, outputs) : null;
        var y = new Tensor(batch, outputs);
        Reference.Dense(x, kernel, b, y, relu);
        var gy = GpuZeros(batch, outputs);
        Ilgpu.Dense(OnGpu(x), OnGpu(kernel), b is null ? null : OnGpu(b), gy, relu);
        AssertClose(y, gy, "Dense");

        var dy = Random(11, batch, outputs);
        var (dx, dKernel, dBias) = (new Tensor(batch, inputs), new Tensor(inputs, outputs), new Tensor(outputs));
        Reference.DenseBackward(x, kernel, y, dy, relu, dx, dKernel, dBias, new BackendScratch());
        var (gdx, gdKernel, gdBias) = (GpuZeros(batch, inputs), GpuZeros(inputs, outputs), GpuZeros(outputs));
        Ilgpu.DenseBackward(OnGpu(x), OnGpu(kernel), OnGpu(y), OnGpu(dy), relu, gdx, gdKernel, gdBias, new BackendScratch());
        AssertClose(dx, gdx, "DenseBackward dx");
        AssertClose(dKernel, gdKernel, "DenseBackward dKernel");
        AssertClose(dBias, gdBias, "DenseBackward dBias");
    }

    [Fact]
    public void A_host_tensor_is_one_clear_error_naming_the_argument()
    {
        var g = Geometry(1, 4, 4, 1, 3, 1, "valid");
        var error = Assert.Throws<ArgumentException>(() => Ilgpu.Conv2D(new Tensor(1, 4, 4, 1), OnGpu(new Tensor(3, 3, 1, 2)), null,
            GpuZeros(1, 2, 2, 2), g, relu: false, new BackendScratch()));
        Assert.Equal("x", error.ParamName);
        Assert.Contains("on device 'cpu'", error.Message);
        Assert.Contains("tensor.To(device)", error.Message);
    }
}
