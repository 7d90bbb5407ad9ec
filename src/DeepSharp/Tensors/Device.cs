namespace DeepSharp;

/// <summary>
/// Where a tensor's values live: <see cref="Cpu"/> (managed memory, the default) or a device that another assembly
/// adds (a GPU backend derives from <see cref="Device"/> and <see cref="TensorStorage"/>; the core needs no change).
/// A device allocates storage; copies between the host and the device go through that storage.
/// </summary>
/// <example><code>
/// var x = new Tensor(2, 3);                 // on Device.Cpu
/// Console.WriteLine(x.Device.Name);         // cpu
/// var y = x.To(Device.Cpu);                 // already there: the same tensor
/// </code></example>
public abstract class Device
{
    /// <summary>A device named <paramref name="name"/> (e.g. <c>"cuda:0"</c>).</summary>
    protected Device(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The host: tensors in managed <c>float[]</c> memory, computed by the CPU backend.</summary>
    public static Device Cpu { get; } = new CpuDevice();

    /// <summary>The device's name, e.g. <c>"cpu"</c> or <c>"cuda:0"</c>.</summary>
    public string Name { get; }

    /// <summary>Allocates storage for <paramref name="length"/> float32 values, all zero.</summary>
    public abstract TensorStorage Allocate(int length);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
