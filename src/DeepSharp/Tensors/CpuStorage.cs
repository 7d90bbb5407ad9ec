namespace DeepSharp;

/// <summary>A CPU tensor's values: a managed array, possibly longer than the tensor (a buffer reused for a smaller batch).</summary>
internal sealed class CpuStorage(float[] array) : TensorStorage(Device.Cpu, array.Length)
{
    public float[] Array { get; } = array;

    internal override float[] HostArray => Array;

    public override void CopyFrom(ReadOnlySpan<float> source, int offset)
    {
        CheckRange(offset, source.Length);
        source.CopyTo(Array.AsSpan(offset));
    }

    public override void CopyTo(int offset, Span<float> destination)
    {
        CheckRange(offset, destination.Length);
        Array.AsSpan(offset, destination.Length).CopyTo(destination);
    }
}
