using System.Runtime.CompilerServices;

namespace DeepSharp;

// Host access: the explicit copies between a tensor on any device and the caller's memory.
public sealed partial class Tensor
{
    /// <summary>A new CPU tensor holding a copy of <paramref name="values"/> in <paramref name="shape"/> (the array stays yours).</summary>
    /// <example><code>var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);</code></example>
    public static Tensor FromArray(float[] values, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        int size = Product(CheckShape(shape));
        if (values.Length != size)
            throw new ArgumentException($"Tensor.FromArray got {values.Length} values but shape {FormatShape(shape)} holds {size}. Pass exactly that many values, or change the shape.", nameof(values));
        return new Tensor((float[])values.Clone(), shape);
    }

    /// <summary>A new array with a copy of the <see cref="Size"/> values, from any device.</summary>
    public float[] ToArray()
    {
        var values = new float[Size];
        CopyTo(values);
        return values;
    }

    /// <summary>Copies the <see cref="Size"/> values, from any device, to the start of <paramref name="destination"/>.</summary>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < Size)
            throw new ArgumentException($"Tensor.CopyTo needs room for {Size} values (shape {FormatShape(_shape)}) but the destination holds {destination.Length}. Pass a larger span.", nameof(destination));
        if (Data is { } d) d.AsSpan(0, Size).CopyTo(destination);
        else _storage!.CopyTo(0, destination[..Size]);
    }

    /// <summary>Overwrites the tensor's values, on any device, with <paramref name="source"/> (exactly <see cref="Size"/> values).</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        if (source.Length != Size)
            throw new ArgumentException($"Tensor.CopyFrom got {source.Length} values but the tensor of shape {FormatShape(_shape)} holds {Size}. Pass exactly that many values.", nameof(source));
        if (Data is { } d) source.CopyTo(d);
        else _storage!.CopyFrom(source, 0);
    }

    /// <summary>
    /// This tensor on <paramref name="device"/>: itself when it is already there, otherwise a copy (candle's <c>to_device</c>).
    /// </summary>
    public Tensor To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (ReferenceEquals(device, Device)) return this;
        var t = new Tensor(device, _shape.ToArray());
        if (Data is { } d) t.CopyFrom(d.AsSpan(0, Size));
        else if (t.Data is { } host) CopyTo(host);
        else t.CopyFrom(ToArray());
        return t;
    }

    /// <summary>The CPU array, or the error that says this tensor is on another device and what to call instead.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float[] HostData(string member) => Data ?? throw NotOnHost(member);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private InvalidOperationException NotOnHost(string member) => new(
        $"Tensor.{member} reads the values in place, which only a CPU tensor allows, but this tensor of shape {FormatShape(_shape)} is on device '{Device.Name}'. " +
        "Copy the values with ToArray() or CopyTo(span), write them with CopyFrom(span), or move the tensor with To(Device.Cpu).");
}
