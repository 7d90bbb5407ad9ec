using DeepSharp.Backends;
using DeepSharp.Backends.Reference;
using DeepSharp.Gpu;

namespace DeepSharp.Gpu.Tests;

/// <summary>
/// The device the tests run on: ILGPU's CPU accelerator (every machine, CI), or the first CUDA device when
/// DEEPSHARP_GPU_TESTS=cuda (tools/test-gpu.sh sets it on a GPU machine). Helpers to move host tensors there and back.
/// </summary>
internal static class GpuUnderTest
{
    public static bool OnCuda => string.Equals(Environment.GetEnvironmentVariable("DEEPSHARP_GPU_TESTS"), "cuda", StringComparison.OrdinalIgnoreCase);

    public static GpuDevice Device => OnCuda ? DeepSharp.Device.Gpu() : DeepSharp.Device.GpuOnCpuAccelerator();

    public static IlgpuBackend Ilgpu => Device.Backend;

    public static readonly IBackend Reference = new ReferenceBackend();

    /// <summary>A host tensor of values uniform in [-1, 1).</summary>
    public static Tensor Random(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        var span = t.Span;
        for (int i = 0; i < span.Length; i++) span[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    public static Tensor OnGpu(Tensor host) => host.To(Device);

    public static Tensor GpuZeros(params int[] shape) => new(Device, shape);

    /// <summary>Every value of the GPU result within <paramref name="tolerance"/> of the reference's largest magnitude.</summary>
    public static void AssertClose(Tensor reference, Tensor gpu, string what, double tolerance = 1e-4)
    {
        Assert.Equal(reference.Shape.ToArray(), gpu.Shape.ToArray());
        var expected = reference.ToArray();
        var actual = gpu.ToArray();
        double scale = 1e-6;
        foreach (var v in expected) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(actual[i] - (double)expected[i]);
            if (diff > tolerance * scale)
                Assert.Fail($"{what}: value {i} is {actual[i]}, the reference {expected[i]} (difference {diff:G3}, allowed {tolerance * scale:G3}).");
        }
    }
}
