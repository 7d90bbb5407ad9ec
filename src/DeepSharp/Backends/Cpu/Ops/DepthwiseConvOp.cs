using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Depthwise convolution in NHWC with Keras' kernel layout (KH, KW, C, M), M the depth multiplier:
/// Forward:  y[n, oy, ox, c·M+m] = Σ_{ky,kx} x[n, oy·s+ky-pad, ox·s+kx-pad, c] · w[ky, kx, c, m] + b[c·M+m]
/// Backward: dx[n, iy, ix, c] = Σ_{ky,kx,m} dy[n, oy, ox, c·M+m] · w[ky, kx, c, m] over the (oy, ox) whose window
///           puts (ky, kx) on (iy, ix) (a gather: each dx pixel written once, rows in parallel);
///           dw[ky, kx, c, m] = Σ_{n,oy,ox} x[n, iy, ix, c] · dy[n, oy, ox, c·M+m] (per-thread partial sums, added in
///           thread order); db = column sums of dy.
/// Each pixel's channels are one vector operation (TensorPrimitives: the widest vectors this process runs), so with
/// M = 1 the cost is KH·KW multiply-adds of C floats per output pixel.
/// </summary>
internal static class DepthwiseConvOp
{
    /// <summary>Rows (n, oy) per task: enough tasks to balance the threads.</summary>
    private static int Tasks(int rows, long work) =>
        work < VectorOps.ParallelMin ? 1 : Math.Min(rows, Workers.ThreadCount * 4);

    public static void Forward(Tensor x, Tensor kernel, Tensor? bias, Tensor y, ConvGeometry g)
    {
        int c = g.InC, m = kernel.Dim(3), cm = c * m, rows = g.Batch * g.OutH;
        var (xd, w, yd, b) = (x.Data, kernel.Data, y.Data, bias?.Data);
        int tasks = Tasks(rows, (long)rows * g.OutW * cm * g.KH * g.KW);
        Workers.For(tasks, t =>
        {
            for (int r = (int)((long)rows * t / tasks), r1 = (int)((long)rows * (t + 1) / tasks); r < r1; r++)
            {
                int n = r / g.OutH, oy = r % g.OutH;
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    var acc = yd.AsSpan((r * g.OutW + ox) * cm, cm);
                    if (b is null) acc.Clear(); else b.AsSpan(0, cm).CopyTo(acc);
                    for (int ky = 0; ky < g.KH; ky++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + ky;
                        if ((uint)iy >= (uint)g.InH) continue;
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int ix = ox * g.StrideW - g.PadLeft + kx;
                            if ((uint)ix >= (uint)g.InW) continue;
                            var xs = xd.AsSpan(((n * g.InH + iy) * g.InW + ix) * c, c);
                            var ws = w.AsSpan((ky * g.KW + kx) * cm, cm);
                            if (m == 1) TensorPrimitives.MultiplyAdd(xs, ws, acc, acc);
                            else
                                for (int ci = 0; ci < c; ci++)
                                    TensorPrimitives.MultiplyAdd(ws.Slice(ci * m, m), xs[ci], acc.Slice(ci * m, m), acc.Slice(ci * m, m));
                        }
                    }
                }
            }
        });
    }

    public static void Backward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias, ConvGeometry g, BackendScratch scratch)
    {
        int c = g.InC, m = kernel.Dim(3), cm = c * m;
        if (dBias is not null) VectorOps.ColumnSums(dy.Span, g.OutPixels, cm, dBias.Span);
        if (dx is not null) InputGradient(kernel.Data, dy.Data, dx.Data, g, m);
        if (dKernel is not null) KernelGradient(x.Data, dy.Data, dKernel, g, m, scratch);
    }

    private static void InputGradient(float[] w, float[] dy, float[] dx, ConvGeometry g, int m)
    {
        int c = g.InC, cm = c * m, rows = g.Batch * g.InH;
        int tasks = Tasks(rows, (long)rows * g.InW * cm * g.KH * g.KW);
        Workers.For(tasks, t =>
        {
            for (int r = (int)((long)rows * t / tasks), r1 = (int)((long)rows * (t + 1) / tasks); r < r1; r++)
            {
                int n = r / g.InH, iy = r % g.InH;
                for (int ix = 0; ix < g.InW; ix++)
                {
                    var acc = dx.AsSpan((r * g.InW + ix) * c, c);
                    acc.Clear();
                    for (int ky = 0; ky < g.KH; ky++)
                    {
                        int ty = iy + g.PadTop - ky, oy = ty / g.StrideH;
                        if (ty < 0 || ty % g.StrideH != 0 || oy >= g.OutH) continue;
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int tx = ix + g.PadLeft - kx, ox = tx / g.StrideW;
                            if (tx < 0 || tx % g.StrideW != 0 || ox >= g.OutW) continue;
                            var ds = dy.AsSpan(((n * g.OutH + oy) * g.OutW + ox) * cm, cm);
                            var ws = w.AsSpan((ky * g.KW + kx) * cm, cm);
                            if (m == 1) TensorPrimitives.MultiplyAdd(ds, ws, acc, acc);
                            else
                                for (int ci = 0; ci < c; ci++) acc[ci] += TensorPrimitives.Dot(ds.Slice(ci * m, m), ws.Slice(ci * m, m));
                        }
                    }
                }
            }
        });
    }

    private static void KernelGradient(float[] x, float[] dy, Tensor dKernel, ConvGeometry g, int m, BackendScratch scratch)
    {
        int c = g.InC, cm = c * m, size = dKernel.Size, rows = g.Batch * g.OutH;
        int tasks = Math.Min(Tasks(rows, (long)rows * g.OutW * cm * g.KH * g.KW), Workers.ThreadCount);
        var partials = Conv2DOp.Workspace(ref scratch.Floats, tasks * size);
        Workers.For(tasks, t =>
        {
            var dw = partials.AsSpan(t * size, size);
            dw.Clear();
            for (int r = (int)((long)rows * t / tasks), r1 = (int)((long)rows * (t + 1) / tasks); r < r1; r++)
            {
                int n = r / g.OutH, oy = r % g.OutH;
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    var ds = dy.AsSpan((r * g.OutW + ox) * cm, cm);
                    for (int ky = 0; ky < g.KH; ky++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + ky;
                        if ((uint)iy >= (uint)g.InH) continue;
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int ix = ox * g.StrideW - g.PadLeft + kx;
                            if ((uint)ix >= (uint)g.InW) continue;
                            var xs = x.AsSpan(((n * g.InH + iy) * g.InW + ix) * c, c);
                            var acc = dw.Slice((ky * g.KW + kx) * cm, cm);
                            if (m == 1) TensorPrimitives.MultiplyAdd(xs, ds, acc, acc);
                            else
                                for (int ci = 0; ci < c; ci++)
                                    TensorPrimitives.MultiplyAdd(ds.Slice(ci * m, m), xs[ci], acc.Slice(ci * m, m), acc.Slice(ci * m, m));
                        }
                    }
                }
            }
        });
        partials.AsSpan(0, size).CopyTo(dKernel.Span);
        for (int t = 1; t < tasks; t++) TensorPrimitives.Add(dKernel.Span, partials.AsSpan(t * size, size), dKernel.Span);
    }
}
