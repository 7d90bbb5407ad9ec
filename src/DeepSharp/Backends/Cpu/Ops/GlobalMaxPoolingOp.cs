namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Global max pooling over height and width, NHWC: y[n, c] = max over (h, w) of x[n, h, w, c].
/// Backward: dx[n, h, w, c] = dy[n, c] at the first position holding the maximum, 0 elsewhere (as TensorFlow routes it).
/// </summary>
internal static class GlobalMaxPoolingOp
{
    /// <summary>Writes y (N, C) and, per output, the flat index into x of the maximum.</summary>
    public static void Forward(Tensor x, Tensor y, int[] argMax)
    {
        int n = x.Dim(0), hw = x.Dim(1) * x.Dim(2), c = x.Dim(3);
        for (int b = 0; b < n; b++)
        {
            var o = y.Data.AsSpan(b * c, c);
            var arg = argMax.AsSpan(b * c, c);
            int base0 = b * hw * c;
            x.Data.AsSpan(base0, c).CopyTo(o);
            for (int j = 0; j < c; j++) arg[j] = base0 + j;
            for (int p = 1; p < hw; p++)
            {
                int off = base0 + p * c;
                for (int j = 0; j < c; j++)
                {
                    float v = x.Data[off + j];
                    if (v > o[j]) { o[j] = v; arg[j] = off + j; }
                }
            }
        }
    }

    /// <summary>dx = 0 except dy routed to each maximum.</summary>
    public static void Backward(Tensor dy, int[] argMax, Tensor dx)
    {
        dx.Span.Clear();
        for (int i = 0; i < dy.Size; i++) dx.Data[argMax[i]] = dy.Data[i];
    }
}
