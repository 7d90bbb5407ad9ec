using DeepSharp.Backends.Cpu;

namespace DeepSharp.Backends.Reference;

/// <summary>
/// The reference backend: every primitive of <see cref="IBackend"/> as the plain loop of its formula, one thread,
/// sums accumulated in double. No SIMD, no blocking, no fusion, no choice of path: it is slow and obviously right, and the
/// tests use it as the oracle for the CPU backend at every vector width (tests/DeepSharp.Tests/Backends/ParityTests.cs).
/// It has no state; one instance serves any number of layers.
/// </summary>
internal sealed partial class ReferenceBackend : IBackend
{
    public string Name => "reference";

    /// <summary>The reference fuses nothing across layers (the loss/activation fusion is arithmetic, not a kernel: it keeps it).</summary>
    public bool Fuses(FusionPattern pattern) => pattern == FusionPattern.ActivationWithCrossentropy;

    private static int At(in ConvGeometry g, int n, int y, int x) => ((n * g.InH + y) * g.InW + x) * g.InC;

    public void Conv2D(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g, bool relu, BackendScratch scratch)
    {
        int f = kernel.Dim(3);
        var w = kernel.Data;
        for (int n = 0; n < g.Batch; n++)
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                    for (int fi = 0; fi < f; fi++)
                    {
                        double s = bias is null ? 0 : bias.Data[fi];
                        for (int ky = 0; ky < g.KH; ky++)
                        {
                            int iy = oy * g.StrideH - g.PadTop + ky;
                            if ((uint)iy >= (uint)g.InH) continue;
                            for (int kx = 0; kx < g.KW; kx++)
                            {
                                int ix = ox * g.StrideW - g.PadLeft + kx;
                                if ((uint)ix >= (uint)g.InW) continue;
                                int xi = At(g, n, iy, ix), wi = (ky * g.KW + kx) * g.InC * f + fi;
                                for (int c = 0; c < g.InC; c++) s += (double)x.Data[xi + c] * w[wi + c * f];
                            }
                        }
                        float v = (float)s;
                        y.Data[((n * g.OutH + oy) * g.OutW + ox) * f + fi] = relu ? Math.Max(v, 0f) : v;
                    }
    }

    public void Conv2DBackward(Tensor x, Tensor kernel, Tensor y, Tensor dy, bool relu, Tensor? dx, Tensor? dKernel, Tensor? dBias,
        in ConvGeometry g, BackendScratch scratch)
    {
        int f = kernel.Dim(3), outSize = g.OutPixels * f;
        var dz = Masked(y, dy, relu, outSize);
        var dw = new double[g.PatchSize * f];
        var db = new double[f];
        var dxs = new double[g.Batch * g.InH * g.InW * g.InC];
        for (int n = 0; n < g.Batch; n++)
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                    for (int fi = 0; fi < f; fi++)
                    {
                        double d = dz[((n * g.OutH + oy) * g.OutW + ox) * f + fi];
                        db[fi] += d;
                        if (d == 0) continue;
                        for (int ky = 0; ky < g.KH; ky++)
                        {
                            int iy = oy * g.StrideH - g.PadTop + ky;
                            if ((uint)iy >= (uint)g.InH) continue;
                            for (int kx = 0; kx < g.KW; kx++)
                            {
                                int ix = ox * g.StrideW - g.PadLeft + kx;
                                if ((uint)ix >= (uint)g.InW) continue;
                                int xi = At(g, n, iy, ix), wi = (ky * g.KW + kx) * g.InC * f + fi;
                                for (int c = 0; c < g.InC; c++)
                                {
                                    dw[wi + c * f] += d * x.Data[xi + c];
                                    dxs[xi + c] += d * kernel.Data[wi + c * f];
                                }
                            }
                        }
                    }
        if (dKernel is not null) Store(dw, dKernel);
        if (dBias is not null) Store(db, dBias);
        if (dx is not null) Store(dxs, dx);
    }

    /// <summary>Not fused here: the caller runs the pooling's backward and then <see cref="Conv2DBackward"/>.</summary>
    public bool TryConv2DBackwardThroughMaxPool(Tensor x, Tensor kernel, in MaxPoolGradient pooled, bool relu, Tensor dKernel, Tensor? dBias, in ConvGeometry g) => false;

    public void Dense(Tensor x, Tensor kernel, Tensor? bias, Tensor y, bool relu)
    {
        int rows = x.Dim(0), inF = kernel.Dim(0), outF = kernel.Dim(1);
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outF; o++)
            {
                double s = bias is null ? 0 : bias.Data[o];
                for (int i = 0; i < inF; i++) s += (double)x.Data[r * inF + i] * kernel.Data[i * outF + o];
                y.Data[r * outF + o] = relu ? Math.Max((float)s, 0f) : (float)s;
            }
    }

    public void DenseBackward(Tensor x, Tensor kernel, Tensor y, Tensor dy, bool relu, Tensor? dx, Tensor? dKernel, Tensor? dBias, BackendScratch scratch)
    {
        int rows = x.Dim(0), inF = kernel.Dim(0), outF = kernel.Dim(1);
        var dz = Masked(y, dy, relu, rows * outF);
        if (dKernel is not null)
            for (int i = 0; i < inF; i++)
                for (int o = 0; o < outF; o++)
                {
                    double s = 0;
                    for (int r = 0; r < rows; r++) s += (double)x.Data[r * inF + i] * dz[r * outF + o];
                    dKernel.Data[i * outF + o] = (float)s;
                }
        if (dBias is not null)
            for (int o = 0; o < outF; o++)
            {
                double s = 0;
                for (int r = 0; r < rows; r++) s += dz[r * outF + o];
                dBias.Data[o] = (float)s;
            }
        if (dx is not null)
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < inF; i++)
                {
                    double s = 0;
                    for (int o = 0; o < outF; o++) s += (double)dz[r * outF + o] * kernel.Data[i * outF + o];
                    dx.Data[r * inF + i] = (float)s;
                }
    }

    /// <summary>dz = relu ? (y &gt; 0 ? dy : 0) : dy, as a fresh array (the reference does not care about allocations).</summary>
    private static float[] Masked(Tensor y, Tensor dy, bool relu, int size)
    {
        var dz = new float[size];
        for (int i = 0; i < size; i++) dz[i] = !relu || y.Data[i] > 0 ? dy.Data[i] : 0f;
        return dz;
    }

    private static void Store(double[] values, Tensor t)
    {
        for (int i = 0; i < values.Length; i++) t.Data[i] = (float)values[i];
    }

    /// <summary>The reference always records the winners (one path, no choice).</summary>
    public bool MaxPoolSkipsWinnersInInference => false;

    public void MaxPool(Tensor x, Tensor y, int[]? argmax, in ConvGeometry g)
    {
        int c = g.InC;
        for (int n = 0; n < g.Batch; n++)
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                    for (int ci = 0; ci < c; ci++)
                    {
                        float best = float.NegativeInfinity;
                        int at = -1;
                        for (int ky = 0; ky < g.KH; ky++)
                            for (int kx = 0; kx < g.KW; kx++)
                            {
                                int iy = oy * g.StrideH - g.PadTop + ky, ix = ox * g.StrideW - g.PadLeft + kx;
                                if ((uint)iy >= (uint)g.InH || (uint)ix >= (uint)g.InW) continue;
                                int i = At(g, n, iy, ix) + ci;
                                if (at < 0 || x.Data[i] > best) { best = x.Data[i]; at = i; }
                            }
                        int o = ((n * g.OutH + oy) * g.OutW + ox) * c + ci;
                        y.Data[o] = best;
                        if (argmax is not null) argmax[o] = at;
                    }
    }

    public void MaxPoolBackward(Tensor dy, int[] argmax, Tensor dx, in ConvGeometry g)
    {
        Array.Clear(dx.Data, 0, g.Batch * g.InH * g.InW * g.InC);
        for (int o = 0; o < g.OutPixels * g.InC; o++) dx.Data[argmax[o]] += dy.Data[o];
    }

    public void AveragePool(Tensor x, Tensor y, in ConvGeometry geometry)
    {
        var g = geometry;
        int c = g.InC;
        for (int n = 0; n < g.Batch; n++)
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                    for (int ci = 0; ci < c; ci++)
                    {
                        double s = 0;
                        int count = 0;
                        ForWindow(g, oy, ox, (iy, ix) => { s += x.Data[At(g, n, iy, ix) + ci]; count++; });
                        y.Data[((n * g.OutH + oy) * g.OutW + ox) * c + ci] = (float)(s / Math.Max(count, 1));
                    }
    }

    public void AveragePoolBackward(Tensor dy, Tensor dx, in ConvGeometry geometry)
    {
        var g = geometry;
        int c = g.InC;
        var sums = new double[g.Batch * g.InH * g.InW * c];
        for (int n = 0; n < g.Batch; n++)
            for (int oy = 0; oy < g.OutH; oy++)
                for (int ox = 0; ox < g.OutW; ox++)
                {
                    int count = 0;
                    ForWindow(g, oy, ox, (_, _) => count++);
                    for (int ci = 0; ci < c; ci++)
                    {
                        double d = dy.Data[((n * g.OutH + oy) * g.OutW + ox) * c + ci] / (double)Math.Max(count, 1);
                        ForWindow(g, oy, ox, (iy, ix) => sums[At(g, n, iy, ix) + ci] += d);
                    }
                }
        Store(sums, dx);
    }

    /// <summary>Calls visit(iy, ix) for the input pixels of output (oy, ox)'s window inside the image (padding excluded).</summary>
    private static void ForWindow(ConvGeometry g, int oy, int ox, Action<int, int> visit)
    {
        for (int ky = 0; ky < g.KH; ky++)
            for (int kx = 0; kx < g.KW; kx++)
            {
                int iy = oy * g.StrideH - g.PadTop + ky, ix = ox * g.StrideW - g.PadLeft + kx;
                if ((uint)iy < (uint)g.InH && (uint)ix < (uint)g.InW) visit(iy, ix);
            }
    }

    public void GlobalAveragePool(Tensor x, Tensor y)
    {
        int n = x.Dim(0), hw = x.Dim(1) * x.Dim(2), c = x.Dim(3);
        for (int b = 0; b < n; b++)
            for (int ci = 0; ci < c; ci++)
            {
                double s = 0;
                for (int p = 0; p < hw; p++) s += x.Data[(b * hw + p) * c + ci];
                y.Data[b * c + ci] = (float)(s / hw);
            }
    }

    public void GlobalAveragePoolBackward(Tensor dy, Tensor dx)
    {
        int n = dx.Dim(0), hw = dx.Dim(1) * dx.Dim(2), c = dx.Dim(3);
        for (int b = 0; b < n; b++)
            for (int p = 0; p < hw; p++)
                for (int ci = 0; ci < c; ci++) dx.Data[(b * hw + p) * c + ci] = (float)((double)dy.Data[b * c + ci] / hw);
    }

    public void GlobalMaxPool(Tensor x, Tensor y, int[] argmax)
    {
        int n = x.Dim(0), hw = x.Dim(1) * x.Dim(2), c = x.Dim(3);
        for (int b = 0; b < n; b++)
            for (int ci = 0; ci < c; ci++)
            {
                int at = b * hw * c + ci;
                for (int p = 1; p < hw; p++)
                    if (x.Data[(b * hw + p) * c + ci] > x.Data[at]) at = (b * hw + p) * c + ci;
                y.Data[b * c + ci] = x.Data[at];
                argmax[b * c + ci] = at;
            }
    }

    public void GlobalMaxPoolBackward(Tensor dy, int[] argmax, Tensor dx)
    {
        Array.Clear(dx.Data, 0, dx.Size);
        for (int i = 0; i < dy.Size; i++) dx.Data[argmax[i]] += dy.Data[i];
    }
}
