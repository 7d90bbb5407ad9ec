using System.Runtime.CompilerServices;
using System.Text;

namespace DeepSharp;

/// <summary>
/// A dense float32 array of any rank, stored contiguously in row-major order.
/// Images are channels-last (NHWC) like Keras: (batch, height, width, channels).
/// </summary>
/// <remarks>
/// Memory is managed for you: there is nothing to dispose. Layers keep their output and
/// gradient tensors between steps and only reallocate when a batch grows, so a tensor a
/// layer hands out during training is overwritten by the next step. <see cref="Clone"/> it to keep it.
/// <code>
/// var x = new Tensor(2, 28, 28, 1);      // zeros
/// x[0, 14, 14, 0] = 1f;
/// var y = x / 255f;                        // new tensor
/// </code>
/// </remarks>
public sealed class Tensor
{
    private int[] _shape;

    /// <summary>The storage. It may be longer than <see cref="Size"/> (a buffer reused for a smaller batch).</summary>
    public float[] Data { get; private set; }

    /// <summary>Number of elements: the product of the shape.</summary>
    public int Size { get; private set; }

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    public int Rank => _shape.Length;

    /// <summary>The elements as a span of exactly <see cref="Size"/> floats.</summary>
    public Span<float> Span => Data.AsSpan(0, Size);

    /// <summary>A tensor of zeros.</summary>
    public Tensor(params int[] shape)
    {
        _shape = CheckShape(shape);
        Size = Product(_shape);
        Data = Size == 0 ? [] : GC.AllocateArray<float>(Size);
    }

    /// <summary>Wraps existing data (not copied). <paramref name="data"/> must hold at least the product of the shape.</summary>
    public Tensor(float[] data, params int[] shape)
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
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    /// <summary>A new tensor with the same data viewed in another shape. One dimension may be -1 (inferred).</summary>
    public Tensor Reshape(params int[] shape) => new(Data, InferShape(shape, Size));

    /// <summary>A deep copy.</summary>
    public Tensor Clone()
    {
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
        Data.AsSpan(start * row, count * row).CopyTo(t.Data);
        return t;
    }

    /// <summary>Copies the rows named by <paramref name="indices"/> (first axis) into a new tensor.</summary>
    public Tensor Gather(ReadOnlySpan<int> indices)
    {
        var shape = _shape.ToArray();
        shape[0] = indices.Length;
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

    /// <summary>Builds a tensor from values and a shape (copied).</summary>
    public static Tensor FromArray(float[] values, params int[] shape) => new((float[])values.Clone(), shape);

    /// <summary>Index of the largest value in each row of a (rows, n) tensor.</summary>
    public int[] ArgMax()
    {
        int rows = Rank == 1 ? 1 : _shape[0];
        int n = Size / Math.Max(rows, 1);
        var r = new int[rows];
        for (int i = 0; i < rows; i++)
            r[i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(Data.AsSpan(i * n, n));
        return r;
    }

    public override string ToString()
    {
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
        if (t is null || t.Data.Length < size)
        {
            t = new Tensor(GC.AllocateUninitializedArray<float>(size), shape.ToArray());
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
        t.Data = data;
        if (t._shape.Length == shape.Length) shape.CopyTo(t._shape); else t._shape = shape.ToArray();
        t.Size = Product(shape);
        return t;
    }

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
