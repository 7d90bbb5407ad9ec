namespace DeepSharp.Gpu.Tests.Devices;

[Collection("Gpu")]
public class GpuDeviceTests
{
    [Fact]
    public void Tensors_copy_to_the_device_and_back()
    {
        var host = GpuUnderTest.Random(1, 3, 5);
        var onGpu = GpuUnderTest.OnGpu(host);
        Assert.Same(GpuUnderTest.Device, onGpu.Device);
        Assert.IsType<GpuStorage>(onGpu.Storage);
        Assert.Equal(host.ToArray(), onGpu.ToArray());
        Assert.Equal(host.ToArray(), onGpu.To(Device.Cpu).ToArray());
        var error = Assert.Throws<InvalidOperationException>(() => onGpu.Span.Length);
        Assert.Contains(GpuUnderTest.Device.Name, error.Message);
    }

    [Fact]
    public void Storage_is_zero_and_copies_at_an_offset()
    {
        var storage = GpuUnderTest.Device.Allocate(7);
        var values = new float[7];
        storage.CopyTo(0, values);
        Assert.All(values, v => Assert.Equal(0f, v));
        storage.CopyFrom([1f, 2f, 3f], offset: 4);
        var tail = new float[4];
        storage.CopyTo(3, tail);
        Assert.Equal([0f, 1f, 2f, 3f], tail);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => storage.CopyFrom([1f, 2f], offset: 6));
        Assert.Contains("does not fit storage of 7 values", error.Message);
        Assert.Equal(0, GpuUnderTest.Device.Allocate(0).Length);
    }

    [Fact]
    public void Gpu_finds_a_cuda_device_or_says_what_it_looked_for()
    {
        if (GpuDevices.CudaCount == 0)
        {
            var error = Assert.Throws<InvalidOperationException>(() => Device.Gpu());
            Assert.Contains("looked for CUDA devices through the NVIDIA driver", error.Message);
            Assert.Contains("reported 0", error.Message);
            Assert.Contains("Device.GpuOnCpuAccelerator()", error.Message);
            Assert.False(GpuUnderTest.OnCuda, "DEEPSHARP_GPU_TESTS=cuda, but the NVIDIA driver reports no CUDA device.");
        }
        else
        {
            var gpu = Device.Gpu();
            Assert.True(gpu.IsCuda);
            Assert.Equal("cuda:0", gpu.Name);
            Assert.Same(gpu, Device.Gpu());
            var error = Assert.Throws<InvalidOperationException>(() => Device.Gpu(GpuDevices.CudaCount));
            Assert.Contains($"reports {GpuDevices.CudaCount} CUDA device(s)", error.Message);
        }
    }

    [Fact]
    public void The_cpu_accelerator_is_one_device_with_a_gpus_name()
    {
        var device = Device.GpuOnCpuAccelerator();
        Assert.Same(device, Device.GpuOnCpuAccelerator());
        Assert.False(device.IsCuda);
        Assert.Equal("gpu-on-cpu", device.Name);
    }
}

public class CoreIndependenceTests
{
    [Fact]
    public void The_core_assembly_does_not_reference_ilgpu()
    {
        var references = typeof(Tensor).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
        Assert.DoesNotContain(references, name => name!.StartsWith("ILGPU", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(typeof(GpuDevice).Assembly.GetReferencedAssemblies(), a => a.Name == "ILGPU");
    }
}
