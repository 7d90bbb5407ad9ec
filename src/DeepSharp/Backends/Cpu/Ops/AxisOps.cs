namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Ops along one axis of a row-major tensor, seen as (outer, axis, inner): concatenation, slicing, softmax;
/// and axis permutation. Forward and backward side by side.
/// </summary>
internal static class AxisOps
{
    /// <summary>The (outer, inner) sizes around <paramref name="axis"/> of <paramref name="shape"/>.</summary>
    public static (int Outer, int Inner) Split(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, inner);
    }

    // ---- concatenation: y = [x_0, x_1, ...] along the axis; dx_i = the i-th block of dy ----

    /// <summary>Copies each input's (outer, len_i, inner) blocks side by side into y (outer, Σ len_i, inner).</summary>
    public static void ConcatForward(IReadOnlyList<Tensor> xs, Tensor y, int axis)
    {
        var (outer, inner) = Split(y.Shape, axis);
        int total = y.Dim(axis) * inner, offset = 0;
        foreach (var x in xs)
        {
            int block = x.Dim(axis) * inner;
            for (int o = 0; o < outer; o++)
                x.Data.AsSpan(o * block, block).CopyTo(y.Data.AsSpan(o * total + offset, block));
            offset += block;
        }
    }

    /// <summary>dx = the slice [start, start + dx.Dim(axis)) of dy along the axis (the backward of concat and the forward of slice).</summary>
    public static void SliceForward(Tensor x, Tensor y, int axis, int start)
    {
        var (outer, inner) = Split(x.Shape, axis);
        int total = x.Dim(axis) * inner, block = y.Dim(axis) * inner;
        for (int o = 0; o < outer; o++)
            x.Data.AsSpan(o * total + start * inner, block).CopyTo(y.Data.AsSpan(o * block, block));
    }

    /// <summary>The backward of a slice: dx is zero except the sliced window, which receives dy.</summary>
    public static void SliceBackward(Tensor dy, Tensor dx, int axis, int start)
    {
        var (outer, inner) = Split(dx.Shape, axis);
        int total = dx.Dim(axis) * inner, block = dy.Dim(axis) * inner;
        dx.Span.Clear();
        for (int o = 0; o < outer; o++)
            dy.Data.AsSpan(o * block, block).CopyTo(dx.Data.AsSpan(o * total + start * inner, block));
    }

    // ---- softmax along any axis: y = exp(x - max) / Σ exp(x - max); dx = y ⊙ (dy - Σ dy ⊙ y) ----

    public static void SoftmaxForward(Tensor x, Tensor y, int axis)
    {
        var (outer, inner) = Split(x.Shape, axis);
        int n = x.Dim(axis);
        if (inner == 1)
        {
            ActivationOps.Forward(ActivationKind.Softmax, x.Span, y.Span, n);
            return;
        }
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                float max = float.NegativeInfinity, sum = 0f;
                for (int k = 0; k < n; k++) max = Math.Max(max, x.Data[b + k * inner]);
                for (int k = 0; k < n; k++) sum += y.Data[b + k * inner] = MathF.Exp(x.Data[b + k * inner] - max);
                for (int k = 0; k < n; k++) y.Data[b + k * inner] /= sum;
            }
    }

    public static void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, int axis)
    {
        var (outer, inner) = Split(y.Shape, axis);
        int n = y.Dim(axis);
        if (inner == 1)
        {
            ActivationOps.Backward(ActivationKind.Softmax, y.Span, y.Span, dy.Span, dx.Span, n);
            return;
        }
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                float dot = 0f;
                for (int k = 0; k < n; k++) dot += dy.Data[b + k * inner] * y.Data[b + k * inner];
                for (int k = 0; k < n; k++) dx.Data[b + k * inner] = y.Data[b + k * inner] * (dy.Data[b + k * inner] - dot);
            }
    }

    // ---- permutation of axes: y[i_perm[0], i_perm[1], ...] = x[i_0, i_1, ...] ----

    /// <summary>y = x with its axes reordered: y's axis k is x's axis <paramref name="perm"/>[k].
    /// The backward is the same op with the inverse permutation.</summary>
    public static void Permute(Tensor x, Tensor y, ReadOnlySpan<int> perm)
    {
        int rank = x.Rank;
        Span<int> xStrides = stackalloc int[rank], strides = stackalloc int[rank], dims = stackalloc int[rank], idx = stackalloc int[rank];
        int s = 1;
        for (int a = rank - 1; a >= 0; a--) { xStrides[a] = s; s *= x.Dim(a); }
        for (int k = 0; k < rank; k++) { strides[k] = xStrides[perm[k]]; dims[k] = x.Dim(perm[k]); }
        int size = x.Size, src = 0;
        idx.Clear();
        for (int o = 0; o < size; o++)
        {
            y.Data[o] = x.Data[src];
            for (int k = rank - 1; k >= 0; k--)   // odometer over y's index, tracking x's offset
            {
                src += strides[k];
                if (++idx[k] < dims[k]) break;
                src -= strides[k] * dims[k];
                idx[k] = 0;
            }
        }
    }
}
