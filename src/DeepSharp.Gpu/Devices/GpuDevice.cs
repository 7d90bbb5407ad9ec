using DeepSharp.Gpu;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace DeepSharp;

/// <summary>
/// Preview (issue 22): an NVIDIA GPU (through ILGPU and the NVIDIA driver) or ILGPU's CPU accelerator, which runs the
/// same kernels on the host for tests. Tensors allocated on it keep their values in device memory; the host reaches
/// them with <see cref="Tensor.ToArray"/>, <see cref="Tensor.CopyTo(Span{float})"/> or <c>To(Device.Cpu)</c>.
/// Get one with <c>Device.Gpu()</c> (the first CUDA device) or <c>Device.GpuOnCpuAccelerator()</c>
/// (<see cref="GpuDevices"/>). Training a model on it is not wired yet: layers still allocate on the CPU.
/// </summary>
/// <example><code>
/// var gpu = Device.GpuOnCpuAccelerator();           // Device.Gpu() on a machine with an NVIDIA GPU
/// var x = new Tensor(2, 3);
/// x.CopyFrom([1f, 2f, 3f, 4f, 5f, 6f]);
/// var onGpu = x.To(gpu);                            // copied to the device
/// Console.WriteLine(onGpu.ToArray()[5]);            // 6, copied back
/// </code></example>
public sealed class GpuDevice : Device
{
    private readonly Context _context;
    private IlgpuBackend? _backend;

    private GpuDevice(string name, Context context, Accelerator accelerator, bool isCuda) : base(name)
    {
        _context = context;
        Accelerator = accelerator;
        IsCuda = isCuda;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { accelerator.Dispose(); context.Dispose(); };
    }

    /// <summary>True for a CUDA device, false for ILGPU's CPU accelerator.</summary>
    public bool IsCuda { get; }

    /// <summary>What the accelerator calls itself (the GPU's model name, or ILGPU's CPU accelerator).</summary>
    public string AcceleratorName => Accelerator.Name;

    /// <summary>The device's memory in bytes (for the CPU accelerator: what ILGPU reports for it).</summary>
    public long MemoryBytes => Accelerator.MemorySize;

    internal Accelerator Accelerator { get; }

    /// <summary>The backend that computes on this device's tensors (created with the device's first kernel call).</summary>
    internal IlgpuBackend Backend => _backend ??= new IlgpuBackend(this);

    /// <inheritdoc/>
    public override TensorStorage Allocate(int length) => new GpuStorage(this, length);

    /// <summary>How many CUDA devices the NVIDIA driver reports (0 without a driver or a GPU).</summary>
    internal static int CountCudaDevices()
    {
        using var context = Context.Create(b => b.Cuda());
        return context.GetCudaDevices().Count;
    }

    /// <summary>CUDA device <paramref name="index"/>, or one clear error saying what was looked for and what to do.</summary>
    internal static GpuDevice CreateCuda(int index)
    {
        var context = Context.Create(b => b.Cuda().EnableAlgorithms());
        int count = context.GetCudaDevices().Count;
        if (index < 0 || index >= count)
        {
            context.Dispose();
            throw new InvalidOperationException(count == 0
                ? $"Device.Gpu(): no GPU found. DeepSharp.Gpu looked for CUDA devices through the NVIDIA driver (libcuda, via ILGPU) and the driver reported 0. " +
                  "Run on a machine with an NVIDIA GPU and its driver installed (no CUDA toolkit is needed), or train on Device.Cpu; " +
                  "to run the GPU kernels without a GPU (tests), use Device.GpuOnCpuAccelerator()."
                : $"Device.Gpu({index}): the NVIDIA driver reports {count} CUDA device(s) (0 to {count - 1}); ask for one of those.");
        }
        var accelerator = context.CreateCudaAccelerator(index);
        return new GpuDevice($"cuda:{index}", context, accelerator, isCuda: true);
    }

    /// <summary>ILGPU's CPU accelerator with a GPU's group sizes (warps of 32, groups up to 1024 threads).</summary>
    internal static GpuDevice CreateCpuAccelerator()
    {
        var context = Context.Create(b => b.CPU(CPUDeviceKind.Nvidia).EnableAlgorithms());
        var accelerator = context.CreateCPUAccelerator(0);
        return new GpuDevice("gpu-on-cpu", context, accelerator, isCuda: false);
    }
}
