using System.Runtime.CompilerServices;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The im2col matrix of a convolution input as a GEMM row source: row (n·outH + oy)·outW + ox holds the patch
/// x[n, oy·s+ky-pad, ox·s+kx-pad, c] in (ky, kx, c) order, zero outside the image — the same values
/// <see cref="Conv2DOp.Im2Col"/> stores, produced a few rows at a time while the GEMM packs them.
/// </summary>
internal sealed unsafe class Im2ColRows(float[] x, ConvGeometry g) : IRowSource
{
    public void Rows(int i0, int rows, int p0, int kc, float* dst)
    {
        fixed (float* px = x)
            for (int r = 0; r < rows; r++) Row(px, i0 + r, p0, kc, dst + (nint)r * kc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Row(float* x, int row, int p0, int kc, float* dst)
    {
        int c = g.InC, rowLen = g.KW * c, perImage = g.OutH * g.OutW;
        int n = row / perImage, pixel = row - n * perImage;
        int oy = pixel / g.OutW, ox = pixel - oy * g.OutW;
        int ix0 = ox * g.StrideW - g.PadLeft;
        bool inside = ix0 >= 0 && ix0 + g.KW <= g.InW;
        int end = p0 + kc;
        for (int p = p0; p < end;)
        {
            int ky = p / rowLen, rem = p - ky * rowLen;
            int iy = oy * g.StrideH - g.PadTop + ky;
            float* d = dst + (p - p0);
            if ((uint)iy >= (uint)g.InH)
            {
                int len = Math.Min(rowLen - rem, end - p);
                new Span<float>(d, len).Clear();
                p += len;
                continue;
            }
            float* rowBase = x + ((long)(n * g.InH + iy) * g.InW) * c;
            if (inside)
            {
                int len = Math.Min(rowLen - rem, end - p);
                PatchKernels.Copy(rowBase + ix0 * c + rem, d, len);
                p += len;
                continue;
            }
            int kx = rem / c, ch = rem - kx * c;
            int run = Math.Min(c - ch, end - p);
            int ix = ix0 + kx;
            if ((uint)ix >= (uint)g.InW) new Span<float>(d, run).Clear();
            else PatchKernels.Copy(rowBase + ix * c + ch, d, run);
            p += run;
        }
    }
}
