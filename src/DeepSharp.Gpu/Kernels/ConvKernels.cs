using ILGPU;
using ILGPU.Runtime;

namespace DeepSharp.Gpu.Kernels;

/// <summary>The convolution, dense and pooling kernels besides the GEMM: one thread per output value, each a gather (no atomics, deterministic).</summary>
internal static class ConvKernels
{
    /// <summary>
    /// dx[n, iy, ix, c] = Σ over the (ky, kx) that reach it from an output pixel (oy, ox), Σ_f dz[n, oy, ox, f]·kernel[ky, kx, c, f]:
    /// the convolution's input gradient as a gather (a transposed convolution), one thread per dx value.
    /// </summary>
    public static void InputGradient(Index1D i, ArrayView1D<float, Stride1D.Dense> dz, ArrayView1D<float, Stride1D.Dense> kernel,
        ArrayView1D<float, Stride1D.Dense> dx, ConvShape g, int filters)
    {
        int ci = i % g.InC, t = i / g.InC;
        int ix = t % g.InW; t /= g.InW;
        int iy = t % g.InH, n = t / g.InH;
        float sum = 0;
        for (int ky = 0; ky < g.KH; ky++)
        {
            int ty = iy + g.PadTop - ky;
            if (ty < 0 || ty % g.StrideH != 0) continue;
            int oy = ty / g.StrideH;
            if (oy >= g.OutH) continue;
            for (int kx = 0; kx < g.KW; kx++)
            {
                int tx = ix + g.PadLeft - kx;
                if (tx < 0 || tx % g.StrideW != 0) continue;
                int ox = tx / g.StrideW;
                if (ox >= g.OutW) continue;
                int dzAt = ((n * g.OutH + oy) * g.OutW + ox) * filters;
                int kAt = ((ky * g.KW + kx) * g.InC + ci) * filters;
                for (int f = 0; f < filters; f++) sum += dz[dzAt + f] * kernel[kAt + f];
            }
        }
        dx[i] = sum;
    }

    /// <summary>dBias[f] = Σ over the rows of dz (rows × filters), one thread per column.</summary>
    public static void ColumnSum(Index1D f, ArrayView1D<float, Stride1D.Dense> dz, ArrayView1D<float, Stride1D.Dense> dBias, int rows, int filters)
    {
        float sum = 0;
        for (int r = 0; r < rows; r++) sum += dz[r * filters + f];
        dBias[f] = sum;
    }

    /// <summary>dz = y &gt; 0 ? dy : 0 (the ReLU epilogue's mask read from the output).</summary>
    public static void ReluMask(Index1D i, ArrayView1D<float, Stride1D.Dense> y, ArrayView1D<float, Stride1D.Dense> dy, ArrayView1D<float, Stride1D.Dense> dz)
    {
        dz[i] = y[i] > 0 ? dy[i] : 0f;
    }

    /// <summary>
    /// Max pooling, one thread per output: the first largest value in window order (the reference backend's tie rule),
    /// its flat index into x written to argmax when <paramref name="recordWinners"/> is 1.
    /// </summary>
    public static void MaxPool(Index1D o, ArrayView1D<float, Stride1D.Dense> x, ArrayView1D<float, Stride1D.Dense> y,
        ArrayView1D<int, Stride1D.Dense> argmax, ConvShape g, int recordWinners)
    {
        int ci = o % g.InC, t = o / g.InC;
        int ox = t % g.OutW; t /= g.OutW;
        int oy = t % g.OutH, n = t / g.OutH;
        float best = float.NegativeInfinity;
        int at = -1;
        for (int ky = 0; ky < g.KH; ky++)
        {
            int iy = oy * g.StrideH - g.PadTop + ky;
            if (iy < 0 || iy >= g.InH) continue;
            for (int kx = 0; kx < g.KW; kx++)
            {
                int ix = ox * g.StrideW - g.PadLeft + kx;
                if (ix < 0 || ix >= g.InW) continue;
                int i = ((n * g.InH + iy) * g.InW + ix) * g.InC + ci;
                float v = x[i];
                if (at < 0 || v > best) { best = v; at = i; }
            }
        }
        y[o] = best;
        if (recordWinners != 0) argmax[o] = at;
    }

    /// <summary>dx[i] = Σ dy[o] over the outputs o whose winner is i (a gather over the windows that contain i).</summary>
    public static void MaxPoolBackward(Index1D i, ArrayView1D<float, Stride1D.Dense> dy, ArrayView1D<int, Stride1D.Dense> argmax,
        ArrayView1D<float, Stride1D.Dense> dx, ConvShape g)
    {
        int ci = i % g.InC, t = i / g.InC;
        int ix = t % g.InW; t /= g.InW;
        int iy = t % g.InH, n = t / g.InH;
        int loY = iy + g.PadTop - g.KH + 1, loX = ix + g.PadLeft - g.KW + 1;
        int oy0 = loY <= 0 ? 0 : (loY + g.StrideH - 1) / g.StrideH, ox0 = loX <= 0 ? 0 : (loX + g.StrideW - 1) / g.StrideW;
        int oy1 = (iy + g.PadTop) / g.StrideH, ox1 = (ix + g.PadLeft) / g.StrideW;
        if (oy1 > g.OutH - 1) oy1 = g.OutH - 1;
        if (ox1 > g.OutW - 1) ox1 = g.OutW - 1;
        float sum = 0;
        for (int oy = oy0; oy <= oy1; oy++)
            for (int ox = ox0; ox <= ox1; ox++)
            {
                int o = ((n * g.OutH + oy) * g.OutW + ox) * g.InC + ci;
                if (argmax[o] == i) sum += dy[o];
            }
        dx[i] = sum;
    }
}
