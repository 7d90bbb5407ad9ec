using System.Runtime.CompilerServices;
using System.Text;

namespace DeepSharp;

/// <summary>
/// A dense float32 array of any rank, stored contiguously in row-major order on a <see cref="DeepSharp.Device"/>
/// (<see cref="Device.Cpu"/> unless you say otherwise). Images are channels-last (NHWC) like Keras: (batch, height, width, channels).
/// </summary>
/// <remarks>
/// Memory is managed for you: there is nothing to dispose. Layers keep their output and
/// gradient tensors between steps and only reallocate when a batch grows, so a tensor a
/// layer hands out during training is overwritten by the next step. <see cref="Clone"/> it to keep it.
/// <code>
/// var x = new Tensor(2, 28, 28, 1);      // zeros
/// x[0, 14, 14, 0] = 1f;
/// var y = x / 255f;                        // new tensor
/// var t = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);   // copies the array
/// float[] values = t.ToArray();            // copies back to the host
/// t.Span[0] = 5f;                          // a CPU tensor's values, in place
/// </code>
/// Host access is explicit: <see cref="FromArray"/>, <see cref="ToArray"/>, <see cref="CopyTo"/> and
/// <see cref="CopyFrom"/> work on every device; <see cref="Span"/> only on the CPU.
/// </remarks>
public sealed partial class Tensor
{
    private int[] _shape;

    /// <summary>The values wherever they live. On the CPU it is made on first use (Data is the fast path).</summary>
    private TensorStorage? _storage;

    /// <summary>
    /// A CPU tensor's array (null on any other device): the CPU backend's fast path. It may be longer than
    /// <see cref="Size"/> (a buffer reused for a smaller batch).
    /// </summary>
    internal float[] Data { get; private set; }

    /// <summary>Number of elements: the product of the shape.</summary>
    public int Size { get; private set; }

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    public int Rank => _shape.Length;

    /// <summary>
    /// The values of a CPU tensor as a span of exactly <see cref="Size"/> floats, read and written in place.
    /// A tensor on another device throws: copy with <see cref="ToArray"/>/<see cref="CopyTo"/> or move it with <see cref="To"/>.
    /// </summary>
    public Span<float> Span => Data is { } d ? new Span<float>(d, 0, Size) : throw NotOnHost(nameof(Span));

    /// <summary>The same as <see cref="Span"/> (the .NET spelling): a CPU tensor's values, in place; other devices throw.</summary>
    public Span<float> AsSpan() => Data is { } d ? new Span<float>(d, 0, Size) : throw NotOnHost(nameof(AsSpan));

    /// <summary>The device that holds the values.</summary>
    public Device Device => _storage?.Device ?? Device.Cpu;

    /// <summary>
    /// The values' storage, for a device backend (it downcasts to its own storage type). For a CPU tensor it wraps the
    /// tensor's array.
    /// </summary>
    public TensorStorage Storage => _storage ??= new CpuStorage(Data);

    /// <summary>A tensor of zeros.</summary>
    public Tensor(params int[] shape)
    {
        _shape = CheckShape(shape);
        Size = Product(_shape);
        Data = Size == 0 ? [] : GC.AllocateArray<float>(Size);
    }

    /// <summary>A tensor of zeros on <paramref name="device"/>.</summary>
    public Tensor(Device device, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(device);
        _shape = CheckShape(shape);
        Size = Product(_shape);
        _storage = device.Allocate(Size);
        Data = _storage.HostArray!;
    }

    /// <summary>
    /// A tensor over existing <paramref name="storage"/> (not copied), for a device backend or to view a buffer in
    /// another shape. The storage must hold at least the product of the shape.
    /// </summary>
    public Tensor(TensorStorage storage, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _shape = CheckShape(shape);
        Size = Product(_shape);
        if (storage.Length < Size)
            throw new ArgumentException($"Storage on device '{storage.Device.Name}' holds {storage.Length} values but shape {FormatShape(shape)} needs {Size}. Allocate more, or change the shape.", nameof(storage));
        _storage = storage;
        Data = storage.HostArray!;
    }

    /// <summary>
    /// Wraps existing data (not copied): the CPU backend's buffers and views. <paramref name="data"/> must hold at least
    /// the product of the shape. Users call <see cref="FromArray"/> (a copy) or <see cref="Tensor(TensorStorage, int[])"/>.
    /// </summary>
    internal Tensor(float[] data, params int[] shape)
    {
        _shape = CheckShape(shape);
        Size = Product(_shape);
        if (data.Length < Size)
            throw new ArgumentException($"Tensor data has {data.Length} values but shape {FormatShape(shape)} needs {Size}. Pass an array of exactly that many values, or change the shape.");
        Data = data;
    }

    /// <summary>The size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Dim(int axis) => _shape[axis < 0 ? _shape.Length + axis : axis];

    public float this[params int[] index]
    {
        get => HostData(nameof(Span))[Offset(index)];
        set => HostData(nameof(Span))[Offset(index)] = value;
    }

    /// <summary>A new tensor with the same data viewed in another shape. One dimension may be -1 (inferred).</summary>
    public Tensor Reshape(params int[] shape) => Data is { } d ? new(d, InferShape(shape, Size)) : new(_storage!, InferShape(shape, Size));

    /// <summary>A deep copy on the same device.</summary>
    public Tensor Clone()
    {
        if (Data is null) return To(Device.Cpu).To(Device);
        var t = new Tensor(_shape.ToArray());
        Span.CopyTo(t.Span);
        return t;
    }

    /// <summary>Copies rows [start, start+count) along the first axis into a new tensor.</summary>
    public Tensor Slice(int start, int count)
    {
        int rows = _shape[0];
        if (start < 0 || count < 0 || start + count > rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice [{start}, {start + count}) is outside the first axis of a tensor of shape {FormatShape(_shape)}.");
        int row = rows == 0 ? 0 : Size / rows;
        var shape = _shape.ToArray();
        shape[0] = count;
        var t = new Tensor(shape);
        HostData(nameof(Slice)).AsSpan(start * row, count * row).CopyTo(t.Data);
        return t;
    }

    /// <summary>Copies the rows named by <paramref name="indices"/> (first axis) into a new tensor.</summary>
    public Tensor Gather(ReadOnlySpan<int> indices)
    {
        var shape = _shape.ToArray();
        shape[0] = indices.Length;
        HostData(nameof(Gather));
        var t = new Tensor(shape);
        GatherRows(this, indices, t);
        return t;
    }

    internal static void GatherRows(Tensor source, ReadOnlySpan<int> indices, Tensor destination)
    {
        int row = source.Dim(0) == 0 ? 0 : source.Size / source.Dim(0);
        for (int i = 0; i < indices.Length; i++)
            source.Data.AsSpan(indices[i] * row, row).CopyTo(destination.Data.AsSpan(i * row, row));
    }

    public static Tensor operator /(Tensor t, float s) => Map(t, 1f / s, 0f);
    public static Tensor operator *(Tensor t, float s) => Map(t, s, 0f);
    public static Tensor operator +(Tensor t, float s) => Map(t, 1f, s);
    public static Tensor operator -(Tensor t, float s) => Map(t, 1f, -s);
    /// <summary>Divides every value by <paramref name="s"/> (computed in float32): <c>images / 255.0</c> as Keras code writes it.</summary>
    public static Tensor operator /(Tensor t, double s) => t / (float)s;
    public static Tensor operator *(Tensor t, double s) => t * (float)s;
    public static Tensor operator +(Tensor t, double s) => t + (float)s;
    public static Tensor operator -(Tensor t, double s) => t - (float)s;

    private static Tensor Map(Tensor t, float scale, float shift)
    {
        var r = new Tensor(t._shape.ToArray());
        System.Numerics.Tensors.TensorPrimitives.Multiply(t.Span, scale, r.Span);
        if (shift != 0f) System.Numerics.Tensors.TensorPrimitives.Add(r.Span, shift, r.Span);
        return r;
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = new Tensor(shape);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>Index of the largest value in each row of a (rows, n) tensor.</summary>
    public int[] ArgMax()
    {
        int rows = Rank == 1 ? 1 : _shape[0];
        int n = Size / Math.Max(rows, 1);
        var r = new int[rows];
        for (int i = 0; i < rows; i++)
            r[i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(HostData(nameof(ArgMax)).AsSpan(i * n, n));
        return r;
    }

    public override string ToString()
    {
        if (Data is null) return $"Tensor{FormatShape(_shape)} on {Device.Name}";
        var sb = new StringBuilder($"Tensor{FormatShape(_shape)} [");
        int n = Math.Min(Size, 8);
        for (int i = 0; i < n; i++) sb.Append(i == 0 ? "" : ", ").Append(Data[i].ToString("G4"));
        if (Size > n) sb.Append(", ...");
        return sb.Append(']').ToString();
    }

    // ---- internals used by layers to reuse buffers ----

    /// <summary>
    /// Makes <paramref name="t"/> a tensor of <paramref name="shape"/>, reusing its storage when it is large
    /// enough (a smaller last batch) and allocating only when it grows. The contents are not cleared.
    /// </summary>
    internal static Tensor Ensure([System.Diagnostics.CodeAnalysis.NotNull] ref Tensor? t, ReadOnlySpan<int> shape)
    {
        int size = Product(shape);
        if (t is null || t.Capacity < size)
        {
            t = t is null || t.Data is not null ? new Tensor(GC.AllocateUninitializedArray<float>(size), shape.ToArray()) : new Tensor(t.Device, shape.ToArray());
            return t;
        }
        if (!shape.SequenceEqual(t._shape))
        {
            if (t._shape.Length == shape.Length) shape.CopyTo(t._shape);
            else t._shape = shape.ToArray();
            t.Size = size;
        }
        return t;
    }

    internal static Tensor Ensure([System.Diagnostics.CodeAnalysis.NotNull] ref Tensor? t, int d0, ReadOnlySpan<int> rest)
    {
        Span<int> s = stackalloc int[rest.Length + 1];
        s[0] = d0;
        rest.CopyTo(s[1..]);
        return Ensure(ref t, s);
    }

    /// <summary>Makes <paramref name="t"/> a view of <paramref name="data"/> with <paramref name="shape"/>, reusing the object.</summary>
    internal static Tensor View([System.Diagnostics.CodeAnalysis.NotNull] ref Tensor? t, float[] data, ReadOnlySpan<int> shape)
    {
        if (t is null) return t = new Tensor(data, shape.ToArray());
        if (!ReferenceEquals(t.Data, data)) t._storage = null;
        t.Data = data;
        return Reshaped(t, shape);
    }

    /// <summary>Makes <paramref name="t"/> a view of <paramref name="source"/>'s storage (any device) with <paramref name="shape"/>, reusing the object.</summary>
    internal static Tensor View([System.Diagnostics.CodeAnalysis.NotNull] ref Tensor? t, Tensor source, ReadOnlySpan<int> shape)
    {
        if (source.Data is { } d) return View(ref t, d, shape);
        t ??= new Tensor(source._storage!, shape.ToArray());
        t._storage = source._storage;
        t.Data = null!;
        return Reshaped(t, shape);
    }

    private static Tensor Reshaped(Tensor t, ReadOnlySpan<int> shape)
    {
        if (t._shape.Length == shape.Length) shape.CopyTo(t._shape); else t._shape = shape.ToArray();
        t.Size = Product(shape);
        return t;
    }

    /// <summary>How many values the storage holds (at least <see cref="Size"/>).</summary>
    internal int Capacity => Data?.Length ?? _storage!.Length;

    internal int[] ShapeArray => _shape;

    private int Offset(int[] index)
    {
        if (index.Length != _shape.Length)
            throw new ArgumentException($"Index has {index.Length} coordinates but the tensor has rank {_shape.Length} (shape {FormatShape(_shape)}).");
        int o = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)_shape[i])
                throw new IndexOutOfRangeException($"Index {index[i]} is out of range for axis {i} of size {_shape[i]} (shape {FormatShape(_shape)}).");
            o = o * _shape[i] + index[i];
        }
        return o;
    }

    private static int[] CheckShape(int[] shape)
    {
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException($"Shape {FormatShape(shape)} has a negative dimension. Every dimension must be 0 or more.");
        return shape;
    }

    internal static int[] InferShape(int[] shape, int size)
    {
        int unknown = Array.IndexOf(shape, -1);
        var s = shape.ToArray();
        if (unknown >= 0)
        {
            int known = 1;
            for (int i = 0; i < s.Length; i++) if (i != unknown) known *= s[i];
            if (known == 0 || size % known != 0)
                throw new ArgumentException($"Cannot reshape {size} values to {FormatShape(shape)}: {size} is not divisible by {known}.");
            s[unknown] = size / known;
        }
        if (Product(s) != size)
            throw new ArgumentException($"Cannot reshape {size} values to {FormatShape(shape)} ({Product(s)} values). The shapes must hold the same number of values.");
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Product(ReadOnlySpan<int> shape)
    {
        long p = 1;
        foreach (int d in shape) p *= d;
        if (p > Array.MaxLength) throw new ArgumentException($"Shape {FormatShape(shape.ToArray())} has {p} values, more than one array can hold.");
        return (int)p;
    }

    /// <summary>Formats a shape the way Keras prints it: (None, 26, 26, 32) style, here with concrete sizes.</summary>
    public static string FormatShape(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + ")";
}
