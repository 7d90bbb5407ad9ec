using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Upsampling of NHWC images by integer factors (Keras' UpSampling2D).
/// Nearest: y[n, oy, ox] = x[n, oy / sh, ox / sw]; dx[n, iy, ix] = Σ of the sh×sw block of dy it was copied to.
/// Bilinear (half-pixel centers, TF's and Keras 3's resize): source = max((o + 0.5)/s - 0.5, 0), i0 = floor, i1 =
/// min(i0 + 1, size - 1), weights 1 - frac and frac per axis; the backward scatters dy with the same four weights
/// (each thread takes whole images, so no two write the same dx value).
/// </summary>
internal static class UpSamplingOp
{
    public static void Forward(Tensor x, Tensor y, int sh, int sw, bool bilinear)
    {
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3), oh = h * sh, ow = w * sw;
        var (xd, yd) = (x.Data, y.Data);
        int rows = n * oh, tasks = (long)y.Size < VectorOps.ParallelMin ? 1 : Math.Min(rows, Workers.ThreadCount * 4);
        Workers.For(tasks, t =>
        {
            for (int r = (int)((long)rows * t / tasks), r1 = (int)((long)rows * (t + 1) / tasks); r < r1; r++)
            {
                int b = r / oh, oy = r % oh;
                var (y0, y1, wy) = Source(oy, sh, h, bilinear);
                for (int ox = 0; ox < ow; ox++)
                {
                    var dst = yd.AsSpan((r * ow + ox) * c, c);
                    var (x0, x1, wx) = Source(ox, sw, w, bilinear);
                    var v00 = xd.AsSpan(((b * h + y0) * w + x0) * c, c);
                    if (!bilinear) { v00.CopyTo(dst); continue; }
                    TensorPrimitives.Multiply(v00, (1 - wy) * (1 - wx), dst);
                    TensorPrimitives.MultiplyAdd(xd.AsSpan(((b * h + y0) * w + x1) * c, c), (1 - wy) * wx, dst, dst);
                    TensorPrimitives.MultiplyAdd(xd.AsSpan(((b * h + y1) * w + x0) * c, c), wy * (1 - wx), dst, dst);
                    TensorPrimitives.MultiplyAdd(xd.AsSpan(((b * h + y1) * w + x1) * c, c), wy * wx, dst, dst);
                }
            }
        });
    }

    public static void Backward(Tensor dy, Tensor dx, int sh, int sw, bool bilinear)
    {
        int n = dx.Dim(0), h = dx.Dim(1), w = dx.Dim(2), c = dx.Dim(3), oh = h * sh, ow = w * sw;
        var (dyd, dxd) = (dy.Data, dx.Data);
        if (!bilinear)
        {
            int rows = n * h, tasks = (long)dy.Size < VectorOps.ParallelMin ? 1 : Math.Min(rows, Workers.ThreadCount * 4);
            Workers.For(tasks, t =>
            {
                for (int r = (int)((long)rows * t / tasks), r1 = (int)((long)rows * (t + 1) / tasks); r < r1; r++)
                {
                    int b = r / h, iy = r % h;
                    for (int ix = 0; ix < w; ix++)
                    {
                        var acc = dxd.AsSpan((r * w + ix) * c, c);
                        acc.Clear();
                        for (int a = 0; a < sh; a++)
                            for (int e = 0; e < sw; e++)
                                TensorPrimitives.Add(acc, dyd.AsSpan(((b * oh + iy * sh + a) * ow + ix * sw + e) * c, c), acc);
                    }
                }
            });
            return;
        }
        int images = (long)dy.Size < VectorOps.ParallelMin ? 1 : n;
        Workers.For(images, t =>
        {
            for (int b = t; b < n; b += images)
            {
                dxd.AsSpan(b * h * w * c, h * w * c).Clear();
                for (int oy = 0; oy < oh; oy++)
                {
                    var (y0, y1, wy) = Source(oy, sh, h, true);
                    for (int ox = 0; ox < ow; ox++)
                    {
                        var (x0, x1, wx) = Source(ox, sw, w, true);
                        var d = dyd.AsSpan(((b * oh + oy) * ow + ox) * c, c);
                        Scatter(d, (1 - wy) * (1 - wx), dxd.AsSpan(((b * h + y0) * w + x0) * c, c));
                        Scatter(d, (1 - wy) * wx, dxd.AsSpan(((b * h + y0) * w + x1) * c, c));
                        Scatter(d, wy * (1 - wx), dxd.AsSpan(((b * h + y1) * w + x0) * c, c));
                        Scatter(d, wy * wx, dxd.AsSpan(((b * h + y1) * w + x1) * c, c));
                    }
                }
            }
        });
    }

    private static void Scatter(ReadOnlySpan<float> d, float weight, Span<float> acc)
    {
        if (weight != 0) TensorPrimitives.MultiplyAdd(d, weight, acc, acc);
    }

    /// <summary>The two source pixels of output o along one axis and the second one's weight (nearest: one pixel).</summary>
    private static (int I0, int I1, float W1) Source(int o, int s, int size, bool bilinear)
    {
        if (!bilinear) return (o / s, o / s, 0f);
        float src = Math.Max((o + 0.5f) / s - 0.5f, 0f);
        int i0 = Math.Min((int)src, size - 1);
        return (i0, Math.Min(i0 + 1, size - 1), src - i0);
    }
}
