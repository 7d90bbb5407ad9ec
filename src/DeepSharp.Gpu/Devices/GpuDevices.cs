namespace DeepSharp;

/// <summary>
/// Preview (issue 22): finding a <see cref="GpuDevice"/>. <c>Device.Gpu()</c> is the first CUDA device, or one clear
/// error on a machine without one; <c>Device.GpuOnCpuAccelerator()</c> runs the same kernels on the host through
/// ILGPU's CPU accelerator (slow: for tests on machines without a GPU). Each device is created once per process.
/// </summary>
/// <example><code>
/// if (GpuDevices.CudaCount > 0)
///     Console.WriteLine(Device.Gpu().AcceleratorName);
/// else
///     Console.WriteLine("no CUDA device; the kernels run on " + Device.GpuOnCpuAccelerator().Name);
/// </code></example>
public static class GpuDevices
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, GpuDevice> Cuda = [];
    private static GpuDevice? _cpuAccelerator;

    /// <summary>How many CUDA devices the NVIDIA driver reports (0 on a machine without a driver or an NVIDIA GPU).</summary>
    public static int CudaCount => GpuDevice.CountCudaDevices();

    extension(Device)
    {
        /// <summary>
        /// CUDA device <paramref name="index"/> (the first by default), found through the NVIDIA driver. Throws
        /// <see cref="InvalidOperationException"/> saying what was looked for when there is none.
        /// </summary>
        public static GpuDevice Gpu(int index = 0)
        {
            lock (Gate)
            {
                if (!Cuda.TryGetValue(index, out var device)) Cuda[index] = device = GpuDevice.CreateCuda(index);
                return device;
            }
        }

        /// <summary>
        /// The GPU backend's kernels run by ILGPU's CPU accelerator with a GPU's group sizes: the same code as on a
        /// GPU, on any machine, slowly (tests on small shapes).
        /// </summary>
        public static GpuDevice GpuOnCpuAccelerator()
        {
            lock (Gate) return _cpuAccelerator ??= GpuDevice.CreateCpuAccelerator();
        }
    }
}
