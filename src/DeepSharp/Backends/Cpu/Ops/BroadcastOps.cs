using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Elementwise arithmetic between a batch and a constant that broadcasts against one sample (NumPy rules,
/// aligned on the right: a (C) constant applies per channel, an (H, W, C) constant per pixel), and between
/// same-shape tensors. dx for x + c and x - c is dy; for c - x it is -dy; for x ⊙ c it is dy ⊙ c.
/// </summary>
internal static class BroadcastOps
{
    /// <summary>Writes <paramref name="constant"/> (shape <paramref name="constantShape"/>) broadcast to one sample of
    /// <paramref name="sampleShape"/> into <paramref name="expanded"/>.</summary>
    public static void Expand(ReadOnlySpan<float> constant, ReadOnlySpan<int> constantShape, ReadOnlySpan<int> sampleShape, Span<float> expanded)
    {
        int rank = sampleShape.Length, offset = rank - constantShape.Length;
        Span<int> cStrides = stackalloc int[rank];
        int s = 1;
        for (int a = rank - 1; a >= 0; a--)
        {
            int cd = a >= offset ? constantShape[a - offset] : 1;
            cStrides[a] = cd == 1 ? 0 : s;
            s *= cd;
        }
        Span<int> idx = stackalloc int[rank];
        idx.Clear();
        int src = 0;
        for (int o = 0; o < expanded.Length; o++)
        {
            expanded[o] = constant[src];
            for (int k = rank - 1; k >= 0; k--)
            {
                src += cStrides[k];
                if (++idx[k] < sampleShape[k]) break;
                src -= cStrides[k] * sampleShape[k];
                idx[k] = 0;
            }
        }
    }

    /// <summary>Whether a constant of <paramref name="constantShape"/> broadcasts against one sample of <paramref name="sampleShape"/>.</summary>
    public static bool Broadcasts(ReadOnlySpan<int> constantShape, ReadOnlySpan<int> sampleShape)
    {
        if (constantShape.Length > sampleShape.Length) return false;
        int offset = sampleShape.Length - constantShape.Length;
        for (int a = 0; a < constantShape.Length; a++)
            if (constantShape[a] != 1 && constantShape[a] != sampleShape[a + offset]) return false;
        return true;
    }

    /// <summary>y = x op c for every sample, c already expanded to one sample.</summary>
    public static void Forward(ConstantOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> c, Span<float> y)
    {
        int per = c.Length;
        for (int o = 0; o < x.Length; o += per)
        {
            var xs = x.Slice(o, per);
            var ys = y.Slice(o, per);
            switch (op)
            {
                case ConstantOp.Add: TensorPrimitives.Add(xs, c, ys); break;
                case ConstantOp.Subtract: TensorPrimitives.Subtract(xs, c, ys); break;
                case ConstantOp.ReverseSubtract: TensorPrimitives.Subtract(c, xs, ys); break;
                case ConstantOp.Multiply: TensorPrimitives.Multiply(xs, c, ys); break;
            }
        }
    }

    /// <summary>dx from dy for <see cref="Forward"/>.</summary>
    public static void Backward(ConstantOp op, ReadOnlySpan<float> dy, ReadOnlySpan<float> c, Span<float> dx)
    {
        int per = c.Length;
        for (int o = 0; o < dy.Length; o += per)
        {
            var d = dy.Slice(o, per);
            var r = dx.Slice(o, per);
            switch (op)
            {
                case ConstantOp.Add or ConstantOp.Subtract: d.CopyTo(r); break;
                case ConstantOp.ReverseSubtract: TensorPrimitives.Negate(d, r); break;
                case ConstantOp.Multiply: TensorPrimitives.Multiply(d, c, r); break;
            }
        }
    }
}

/// <summary>The operation of an <see cref="Layers.ElementwiseConstant"/> layer.</summary>
internal enum ConstantOp
{
    /// <summary>x + c</summary>
    Add,
    /// <summary>x - c</summary>
    Subtract,
    /// <summary>c - x</summary>
    ReverseSubtract,
    /// <summary>x ⊙ c</summary>
    Multiply,
}
