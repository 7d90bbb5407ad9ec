namespace DeepSharp;

/// <summary>
/// The values of a tensor on one <see cref="Device"/>: a block of float32 values that only the device can address.
/// A device assembly derives from it (candle's <c>BackendStorage</c>); the host reaches the values only by copying.
/// </summary>
/// <example><code>
/// var storage = Device.Cpu.Allocate(6);
/// storage.CopyFrom([1f, 2f, 3f], offset: 0);
/// var t = new Tensor(storage, 2, 3);        // a tensor over this storage (not copied)
/// </code></example>
public abstract class TensorStorage
{
    /// <summary>Storage of <paramref name="length"/> values on <paramref name="device"/>.</summary>
    protected TensorStorage(Device device, int length)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Device = device;
        Length = length;
    }

    /// <summary>The device that holds the values.</summary>
    public Device Device { get; }

    /// <summary>How many float32 values the storage holds.</summary>
    public int Length { get; }

    /// <summary>Copies <paramref name="source"/> from the host into the storage, starting at value <paramref name="offset"/>.</summary>
    public abstract void CopyFrom(ReadOnlySpan<float> source, int offset);

    /// <summary>Copies <paramref name="destination"/>.Length values, starting at value <paramref name="offset"/>, to the host.</summary>
    public abstract void CopyTo(int offset, Span<float> destination);

    /// <summary>The managed array when the values live on the host (the CPU device); null on any other device.</summary>
    internal virtual float[]? HostArray => null;

    /// <summary>Checks a copy's range: one clear error for every device's implementation.</summary>
    protected void CheckRange(int offset, int count)
    {
        if (offset < 0 || count < 0 || (long)offset + count > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"A copy of {count} values at offset {offset} does not fit storage of {Length} values on device '{Device.Name}'.");
    }
}
