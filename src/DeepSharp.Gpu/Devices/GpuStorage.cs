using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace DeepSharp.Gpu;

/// <summary>
/// A tensor's values in an ILGPU buffer on a <see cref="GpuDevice"/>. The host reaches them only by copying
/// (<see cref="CopyFrom"/>, <see cref="CopyTo"/>, which wait for the kernels queued before them); kernels read
/// <see cref="View"/>. The buffer is freed when the storage is collected (a caching allocator is issue 22's work).
/// </summary>
internal sealed class GpuStorage : TensorStorage
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _buffer;

    internal GpuStorage(GpuDevice device, int length) : base(device, length)
    {
        // ILGPU allocates at least one element; Length stays what was asked for.
        _buffer = device.Accelerator.Allocate1D<float>(Math.Max(length, 1));
        _buffer.MemSetToZero();
    }

    /// <summary>The device this storage lives on.</summary>
    public new GpuDevice Device => (GpuDevice)base.Device;

    /// <summary>The whole buffer as a kernel argument (at least one element, even for an empty storage).</summary>
    public ArrayView1D<float, Stride1D.Dense> View => _buffer.View;

    public override void CopyFrom(ReadOnlySpan<float> source, int offset)
    {
        CheckRange(offset, source.Length);
        if (source.Length == 0) return;
        _buffer.View.SubView(offset, source.Length).CopyFromCPU(ref MemoryMarshal.GetReference(source), source.Length);
    }

    public override void CopyTo(int offset, Span<float> destination)
    {
        CheckRange(offset, destination.Length);
        if (destination.Length == 0) return;
        _buffer.View.SubView(offset, destination.Length).CopyToCPU(ref MemoryMarshal.GetReference(destination), destination.Length);
    }
}
