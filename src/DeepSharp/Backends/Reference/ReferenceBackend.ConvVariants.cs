using DeepSharp.Backends.Cpu;

namespace DeepSharp.Backends.Reference;

/// <summary>Depthwise and transposed convolution and upsampling as the plain loops of their formulas (double sums).</summary>
internal sealed partial class ReferenceBackend
{
    public void DepthwiseConv2D(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g)
    {
        int c = g.InC, m = kernel.Dim(3), cm = c * m;
        for (int n = 0; n < g.Batch; n++)
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                    for (int ci = 0; ci < c; ci++)
                        for (int mi = 0; mi < m; mi++)
                        {
                            double s = bias is null ? 0 : bias.Data[ci * m + mi];
                            for (int ky = 0; ky < g.KH; ky++)
                                for (int kx = 0; kx < g.KW; kx++)
                                {
                                    int iy = oy * g.StrideH - g.PadTop + ky, ix = ox * g.StrideW - g.PadLeft + kx;
                                    if ((uint)iy >= (uint)g.InH || (uint)ix >= (uint)g.InW) continue;
                                    s += (double)x.Data[At(g, n, iy, ix) + ci] * kernel.Data[((ky * g.KW + kx) * c + ci) * m + mi];
                                }
                            y.Data[((n * g.OutH + oy) * g.OutW + ox) * cm + ci * m + mi] = (float)s;
                        }
    }

    public void DepthwiseConv2DBackward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias, in ConvGeometry g, BackendScratch scratch)
    {
        int c = g.InC, m = kernel.Dim(3), cm = c * m;
        var dxs = new double[g.Batch * g.InH * g.InW * c];
        var dw = new double[kernel.Size];
        var db = new double[cm];
        for (int n = 0; n < g.Batch; n++)
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                    for (int ci = 0; ci < c; ci++)
                        for (int mi = 0; mi < m; mi++)
                        {
                            double d = dy.Data[((n * g.OutH + oy) * g.OutW + ox) * cm + ci * m + mi];
                            db[ci * m + mi] += d;
                            for (int ky = 0; ky < g.KH; ky++)
                                for (int kx = 0; kx < g.KW; kx++)
                                {
                                    int iy = oy * g.StrideH - g.PadTop + ky, ix = ox * g.StrideW - g.PadLeft + kx;
                                    if ((uint)iy >= (uint)g.InH || (uint)ix >= (uint)g.InW) continue;
                                    int xi = At(g, n, iy, ix) + ci, wi = ((ky * g.KW + kx) * c + ci) * m + mi;
                                    dxs[xi] += d * kernel.Data[wi];
                                    dw[wi] += d * x.Data[xi];
                                }
                        }
        if (dx is not null) Store(dxs, dx);
        if (dKernel is not null) Store(dw, dKernel);
        if (dBias is not null) Store(db, dBias);
    }

    public void Conv2DTranspose(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g, BackendScratch scratch)
    {
        // g is the convolution this op transposes: its input is y (F channels), its output x (C channels).
        int f = g.InC, c = kernel.Dim(3);
        var ys = new double[g.Batch * g.InH * g.InW * f];
        for (int n = 0; n < g.Batch; n++)
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                    for (int ky = 0; ky < g.KH; ky++)
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int iy = oy * g.StrideH - g.PadTop + ky, ix = ox * g.StrideW - g.PadLeft + kx;
                            if ((uint)iy >= (uint)g.InH || (uint)ix >= (uint)g.InW) continue;
                            for (int fi = 0; fi < f; fi++)
                            {
                                double s = 0;
                                for (int ci = 0; ci < c; ci++)
                                    s += (double)x.Data[((n * g.OutH + oy) * g.OutW + ox) * c + ci] * kernel.Data[((ky * g.KW + kx) * f + fi) * c + ci];
                                ys[At(g, n, iy, ix) + fi] += s;
                            }
                        }
        for (int i = 0; i < ys.Length; i++) y.Data[i] = (float)(ys[i] + (bias is null ? 0 : bias.Data[i % f]));
    }

    public void Conv2DTransposeBackward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias, in ConvGeometry g, BackendScratch scratch)
    {
        int f = g.InC, c = kernel.Dim(3);
        var dxs = new double[x.Size];
        var dw = new double[kernel.Size];
        var db = new double[f];
        for (int i = 0; i < g.Batch * g.InH * g.InW * f; i++) db[i % f] += dy.Data[i];
        for (int n = 0; n < g.Batch; n++)
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                    for (int ky = 0; ky < g.KH; ky++)
                        for (int kx = 0; kx < g.KW; kx++)
                        {
                            int iy = oy * g.StrideH - g.PadTop + ky, ix = ox * g.StrideW - g.PadLeft + kx;
                            if ((uint)iy >= (uint)g.InH || (uint)ix >= (uint)g.InW) continue;
                            for (int fi = 0; fi < f; fi++)
                            {
                                double d = dy.Data[At(g, n, iy, ix) + fi];
                                for (int ci = 0; ci < c; ci++)
                                {
                                    int xi = ((n * g.OutH + oy) * g.OutW + ox) * c + ci, wi = ((ky * g.KW + kx) * f + fi) * c + ci;
                                    dxs[xi] += d * kernel.Data[wi];
                                    dw[wi] += d * x.Data[xi];
                                }
                            }
                        }
        if (dx is not null) Store(dxs, dx);
        if (dKernel is not null) Store(dw, dKernel);
        if (dBias is not null) Store(db, dBias);
    }

    /// <summary>Source pixels and weights of output <paramref name="o"/> along one axis (size <paramref name="size"/>, factor s).</summary>
    private static (int I0, int I1, double W1) Source(int o, int s, int size, bool bilinear)
    {
        if (!bilinear) return (o / s, o / s, 0);
        double src = Math.Max((o + 0.5) / s - 0.5, 0);
        int i0 = Math.Min((int)Math.Floor(src), size - 1);
        int i1 = Math.Min(i0 + 1, size - 1);
        return (i0, i1, src - i0);
    }

    public void UpSample(Tensor x, Tensor y, int sh, int sw, bool bilinear)
    {
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3);
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < h * sh; oy++)
                for (int ox = 0; ox < w * sw; ox++)
                {
                    var (y0, y1, wy) = Source(oy, sh, h, bilinear);
                    var (x0, x1, wx) = Source(ox, sw, w, bilinear);
                    for (int ci = 0; ci < c; ci++)
                    {
                        double V(int yy, int xx) => x.Data[((b * h + yy) * w + xx) * c + ci];
                        double v = (1 - wy) * ((1 - wx) * V(y0, x0) + wx * V(y0, x1)) + wy * ((1 - wx) * V(y1, x0) + wx * V(y1, x1));
                        y.Data[((b * h * sh + oy) * w * sw + ox) * c + ci] = (float)v;
                    }
                }
    }

    public void UpSampleBackward(Tensor dy, Tensor dx, int sh, int sw, bool bilinear)
    {
        int n = dx.Dim(0), h = dx.Dim(1), w = dx.Dim(2), c = dx.Dim(3);
        var sums = new double[dx.Size];
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < h * sh; oy++)
                for (int ox = 0; ox < w * sw; ox++)
                {
                    var (y0, y1, wy) = Source(oy, sh, h, bilinear);
                    var (x0, x1, wx) = Source(ox, sw, w, bilinear);
                    for (int ci = 0; ci < c; ci++)
                    {
                        double d = dy.Data[((b * h * sh + oy) * w * sw + ox) * c + ci];
                        int I(int yy, int xx) => ((b * h + yy) * w + xx) * c + ci;
                        sums[I(y0, x0)] += d * (1 - wy) * (1 - wx);
                        sums[I(y0, x1)] += d * (1 - wy) * wx;
                        sums[I(y1, x0)] += d * wy * (1 - wx);
                        sums[I(y1, x1)] += d * wy * wx;
                    }
                }
        Store(sums, dx);
    }
}
