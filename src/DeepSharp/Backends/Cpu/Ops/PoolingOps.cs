
namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Max and average pooling over NHWC windows, and global average pooling.
/// Max pooling remembers the winning input index of each output for the backward pass.
/// Average pooling with "same" padding divides by the number of real (non-padding) inputs, as Keras does.
/// </summary>
internal static class PoolingOps
{
    // ---- max pooling ----

    /// <summary>y[n, oy, ox, c] = max over the window of x; argmax[i] = flat index into x of the winner
    /// (the first window element, in row-major order, that is larger than all before it). With a null argmax only
    /// y is computed (inference).</summary>
    public static void MaxForward(Tensor x, Tensor y, int[]? argmax, ConvGeometry g)
    {
        if (MaxPoolKernels.Supported) MaxPoolKernels.Forward(x, y, argmax, g);
        else MaxForwardReference(x, y, argmax, g);
    }

    /// <summary>dx = 0 except dx[argmax[i]] += dy[i].</summary>
    public static void MaxBackward(Tensor dy, int[] argmax, Tensor dx, ConvGeometry g)
    {
        if (MaxPoolKernels.Supported && MaxPoolKernels.NonOverlapping(g)) MaxPoolKernels.BackwardNonOverlapping(dy, argmax, dx, g);
        else MaxBackwardReference(dy, argmax, dx, g);
    }

    /// <summary>The plain loops <see cref="MaxForward"/>'s vectorized path is tested against.</summary>
    internal static void MaxForwardReference(Tensor x, Tensor y, int[]? argmax, ConvGeometry g)
    {
        int c = g.InC;
        Workers.For(g.Batch, n =>
        {
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    int o = ((n * g.OutH + oy) * g.OutW + ox) * c;
                    for (int ch = 0; ch < c; ch++) { y.Data[o + ch] = float.NegativeInfinity; if (argmax != null) argmax[o + ch] = -1; }
                    bool first = true;   // the window's first real input wins outright
                    for (int ky = 0; ky < g.KH; ky++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + ky;
                        if ((uint)iy >= (uint)g.InH) continue;
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int ix = ox * g.StrideW - g.PadLeft + kx;
                            if ((uint)ix >= (uint)g.InW) continue;
                            int i = ((n * g.InH + iy) * g.InW + ix) * c;
                            for (int ch = 0; ch < c; ch++)
                            {
                                float v = x.Data[i + ch];
                                if (first || v > y.Data[o + ch])
                                {
                                    y.Data[o + ch] = v;
                                    if (argmax != null) argmax[o + ch] = i + ch;
                                }
                            }
                            first = false;
                        }
                    }
                }
        });
    }

    /// <summary>The scatter <see cref="MaxBackward"/>'s fast path is tested against (and overlapping windows use).</summary>
    internal static void MaxBackwardReference(Tensor dy, int[] argmax, Tensor dx, ConvGeometry g)
    {
        int perImageOut = g.OutH * g.OutW * g.InC;
        int perImageIn = g.InH * g.InW * g.InC;
        Workers.For(g.Batch, n =>
        {
            dx.Data.AsSpan(n * perImageIn, perImageIn).Clear();
            int o0 = n * perImageOut;
            for (int i = o0; i < o0 + perImageOut; i++)
                dx.Data[argmax[i]] += dy.Data[i];
        });
    }

    // ---- average pooling ----

    /// <summary>y = mean of the window's real inputs.</summary>
    public static void AverageForward(Tensor x, Tensor y, ConvGeometry g)
    {
        int c = g.InC;
        Workers.For(g.Batch, n =>
        {
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    var o = y.Data.AsSpan(((n * g.OutH + oy) * g.OutW + ox) * c, c);
                    o.Clear();
                    var (y0, y1, x0, x1) = Window(g, oy, ox);
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++)
                            System.Numerics.Tensors.TensorPrimitives.Add(o, x.Data.AsSpan(((n * g.InH + iy) * g.InW + ix) * c, c), o);
                    System.Numerics.Tensors.TensorPrimitives.Multiply(o, 1f / Math.Max((y1 - y0) * (x1 - x0), 1), o);
                }
        });
    }

    /// <summary>dx[window input] += dy / count for every window containing it.</summary>
    public static void AverageBackward(Tensor dy, Tensor dx, ConvGeometry g)
    {
        int c = g.InC;
        Workers.For(g.Batch, n =>
        {
            dx.Data.AsSpan(n * g.InH * g.InW * c, g.InH * g.InW * c).Clear();
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    var (y0, y1, x0, x1) = Window(g, oy, ox);
                    float scale = 1f / Math.Max((y1 - y0) * (x1 - x0), 1);
                    var d = dy.Data.AsSpan(((n * g.OutH + oy) * g.OutW + ox) * c, c);
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++)
                        {
                            var t = dx.Data.AsSpan(((n * g.InH + iy) * g.InW + ix) * c, c);
                            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(d, scale, t, t);
                        }
                }
        });
    }

    /// <summary>The input rows [y0, y1) and columns [x0, x1) of output (oy, ox)'s window, clipped to the image.</summary>
    private static (int Y0, int Y1, int X0, int X1) Window(in ConvGeometry g, int oy, int ox)
    {
        int y0 = oy * g.StrideH - g.PadTop, x0 = ox * g.StrideW - g.PadLeft;
        return (Math.Max(y0, 0), Math.Min(y0 + g.KH, g.InH), Math.Max(x0, 0), Math.Min(x0 + g.KW, g.InW));
    }

    // ---- global average pooling ----

    /// <summary>y (N, C) = mean over H and W of x (N, H, W, C).</summary>
    public static void GlobalAverageForward(Tensor x, Tensor y)
    {
        int n = x.Dim(0), hw = x.Dim(1) * x.Dim(2), c = x.Dim(3);
        for (int b = 0; b < n; b++)
        {
            var o = y.Data.AsSpan(b * c, c);
            o.Clear();
            for (int p = 0; p < hw; p++)
                System.Numerics.Tensors.TensorPrimitives.Add(o, x.Data.AsSpan((b * hw + p) * c, c), o);
            System.Numerics.Tensors.TensorPrimitives.Multiply(o, 1f / hw, o);
        }
    }

    /// <summary>dx[n, h, w, c] = dy[n, c] / (H·W).</summary>
    public static void GlobalAverageBackward(Tensor dy, Tensor dx)
    {
        int n = dx.Dim(0), hw = dx.Dim(1) * dx.Dim(2), c = dx.Dim(3);
        for (int b = 0; b < n; b++)
        {
            var d = dy.Data.AsSpan(b * c, c);
            for (int p = 0; p < hw; p++)
                System.Numerics.Tensors.TensorPrimitives.Multiply(d, 1f / hw, dx.Data.AsSpan((b * hw + p) * c, c));
        }
    }
}
