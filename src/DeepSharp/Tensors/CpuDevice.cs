namespace DeepSharp;

/// <summary>The host device: storage is a managed <c>float[]</c> that the CPU backend reads directly.</summary>
internal sealed class CpuDevice() : Device("cpu")
{
    public override TensorStorage Allocate(int length) => new CpuStorage(length == 0 ? [] : GC.AllocateArray<float>(length));
}
