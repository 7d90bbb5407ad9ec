using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The ops facade's elementwise and reduction primitives on the CPU: a ∘ b with b repeated over a's leading axes, and
/// sums over one axis of an (outer, n, inner) view. Vectorized through TensorPrimitives, one row of b at a time.
/// </summary>
internal static class ElementwiseOps
{
    /// <summary>y[i] = a[i] ∘ b[i mod b.Length] (b.Length divides a.Length); a and y may alias.</summary>
    public static void Broadcast(BinaryOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        int m = b.Length;
        if (m == 1)
        {
            float c = b[0];
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(a, c, y); break;
                case BinaryOp.Subtract: TensorPrimitives.Subtract(a, c, y); break;
                case BinaryOp.Multiply: TensorPrimitives.Multiply(a, c, y); break;
                default: TensorPrimitives.Divide(a, c, y); break;
            }
            return;
        }
        for (int start = 0; start < a.Length; start += m)
        {
            var ar = a.Slice(start, m);
            var yr = y.Slice(start, m);
            switch (op)
            {
                case BinaryOp.Add: TensorPrimitives.Add(ar, b, yr); break;
                case BinaryOp.Subtract: TensorPrimitives.Subtract(ar, b, yr); break;
                case BinaryOp.Multiply: TensorPrimitives.Multiply(ar, b, yr); break;
                default: TensorPrimitives.Divide(ar, b, yr); break;
            }
        }
    }

    /// <summary>y (outer, inner) = Σ_j x (outer, n, inner)[:, j, :].</summary>
    public static void SumAxis(ReadOnlySpan<float> x, Span<float> y, int outer, int n, int inner)
    {
        for (int o = 0; o < outer; o++)
        {
            var block = x.Slice(o * n * inner, n * inner);
            if (inner == 1) { y[o] = TensorPrimitives.Sum(block); continue; }
            var row = y.Slice(o * inner, inner);
            if (n == 0) { row.Clear(); continue; }
            block[..inner].CopyTo(row);
            for (int j = 1; j < n; j++) TensorPrimitives.Add(row, block.Slice(j * inner, inner), row);
        }
    }
}
