using System.Buffers;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The preprocessing layers' image ops: separable resampling (crops, pads, Keras 3's resize kernels) and its transpose,
/// and Keras 3's affine transform (keras/src/backend/numpy/image.py, <c>affine_transform</c> + <c>map_coordinates</c>:
/// bilinear or nearest reads of the image extended by np.pad's mode). Images run in parallel, one per thread; a row
/// buffer per image comes from the shared array pool (no allocation per step).
/// </summary>
internal static class ImageOps
{
    /// <summary>
    /// y = x resampled along rows then columns (Keras' order: the height's tensordot first). Per output row, the rows'
    /// taps are summed into a buffer holding every input column, then the columns' taps are read from it.
    /// </summary>
    public static void Resample(Tensor x, Tensor y, ResampleAxis rows, ResampleAxis cols, float fill)
    {
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3);
        float[] xd = x.Data, yd = y.Data;
        Workers.For(n, b =>
        {
            var tmp = ArrayPool<float>.Shared.Rent(w * c);
            try
            {
                for (int i = 0; i < rows.OutSize; i++)
                {
                    float rowSum = 0;
                    Array.Clear(tmp, 0, w * c);
                    for (int a = 0; a < rows.Taps; a++)
                    {
                        float wr = rows.Weights[i * rows.Taps + a];
                        if (wr == 0) continue;
                        rowSum += wr;
                        int r = rows.Start[i] + a;
                        if (r < 0 || r >= h) { for (int s = 0; s < w * c; s++) tmp[s] += wr * fill; continue; }
                        int src = (b * h + r) * w * c;
                        for (int s = 0; s < w * c; s++) tmp[s] += wr * xd[src + s];
                    }
                    int dst = (b * rows.OutSize + i) * cols.OutSize * c;
                    for (int j = 0; j < cols.OutSize; j++)
                    {
                        int o = dst + j * c;
                        for (int k = 0; k < c; k++) yd[o + k] = 0;
                        for (int t = 0; t < cols.Taps; t++)
                        {
                            float wc = cols.Weights[j * cols.Taps + t];
                            if (wc == 0) continue;
                            int q = cols.Start[j] + t;
                            if (q < 0 || q >= w) { for (int k = 0; k < c; k++) yd[o + k] += wc * fill * rowSum; continue; }
                            for (int k = 0; k < c; k++) yd[o + k] += wc * tmp[q * c + k];
                        }
                    }
                }
            }
            finally { ArrayPool<float>.Shared.Return(tmp); }
        });
    }

    /// <summary>dx = Resampleᵀ dy: per output row, dy's columns scattered into a row buffer, then the buffer into dx's rows.</summary>
    public static void ResampleBackward(Tensor dy, Tensor dx, ResampleAxis rows, ResampleAxis cols)
    {
        int n = dx.Dim(0), h = dx.Dim(1), w = dx.Dim(2), c = dx.Dim(3);
        float[] gd = dy.Data, xd = dx.Data;
        Workers.For(n, b =>
        {
            Array.Clear(xd, b * h * w * c, h * w * c);
            var tmp = ArrayPool<float>.Shared.Rent(w * c);
            try
            {
                for (int i = 0; i < rows.OutSize; i++)
                {
                    Array.Clear(tmp, 0, w * c);
                    int src = (b * rows.OutSize + i) * cols.OutSize * c;
                    for (int j = 0; j < cols.OutSize; j++)
                        for (int t = 0; t < cols.Taps; t++)
                        {
                            float wc = cols.Weights[j * cols.Taps + t];
                            int q = cols.Start[j] + t;
                            if (wc == 0 || q < 0 || q >= w) continue;
                            for (int k = 0; k < c; k++) tmp[q * c + k] += wc * gd[src + j * c + k];
                        }
                    for (int a = 0; a < rows.Taps; a++)
                    {
                        float wr = rows.Weights[i * rows.Taps + a];
                        int r = rows.Start[i] + a;
                        if (wr == 0 || r < 0 || r >= h) continue;
                        int dst = (b * h + r) * w * c;
                        for (int s = 0; s < w * c; s++) xd[dst + s] += wr * tmp[s];
                    }
                }
            }
            finally { ArrayPool<float>.Shared.Return(tmp); }
        });
    }

    /// <summary>
    /// Keras' affine transform: each output pixel's input point (in double, from the float32 matrix, in Keras' einsum
    /// order), then its 2×2 neighbours (or the nearest pixel) read straight from the image when inside it and through
    /// the fill rule near the edges.
    /// </summary>
    public static void AffineTransform(Tensor x, Tensor y, float[] transforms, bool nearest, ImageFill fill, float fillValue)
    {
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3);
        float[] xd = x.Data, yd = y.Data;
        var m = transforms;
        Workers.For(n, b =>
        {
            double a0 = m[b * 6], a1 = m[b * 6 + 1], a2 = m[b * 6 + 2], b0 = m[b * 6 + 3], b1 = m[b * 6 + 4], b2 = m[b * 6 + 5];
            int image = b * h * w * c;
            for (int r = 0; r < h; r++)
                for (int q = 0; q < w; q++)
                {
                    double inRow = r * b1 + q * b0 + b2, inCol = r * a1 + q * a0 + a2;
                    int o = image + (r * w + q) * c;
                    if (nearest)
                    {
                        long rr = (long)Math.Floor(inRow + 0.5), qq = (long)Math.Floor(inCol + 0.5);
                        int p = Pixel(rr, qq, h, w, fill);
                        for (int k = 0; k < c; k++) yd[o + k] = p < 0 ? fillValue : xd[image + p * c + k];
                        continue;
                    }
                    double fr0 = Math.Floor(inRow), fq0 = Math.Floor(inCol);
                    double fr = inRow - fr0, fq = inCol - fq0;
                    long r0 = (long)fr0, q0 = (long)fq0;
                    double w00 = (1 - fr) * (1 - fq), w01 = (1 - fr) * fq, w10 = fr * (1 - fq), w11 = fr * fq;
                    if (r0 >= 0 && r0 + 1 < h && q0 >= 0 && q0 + 1 < w)
                    {
                        int p00 = image + (int)((r0 * w + q0) * c), p10 = p00 + w * c;
                        for (int k = 0; k < c; k++)
                            yd[o + k] = (float)(w00 * xd[p00 + k] + w01 * xd[p00 + c + k] + w10 * xd[p10 + k] + w11 * xd[p10 + c + k]);
                        continue;
                    }
                    int i00 = Pixel(r0, q0, h, w, fill), i01 = Pixel(r0, q0 + 1, h, w, fill);
                    int i10 = Pixel(r0 + 1, q0, h, w, fill), i11 = Pixel(r0 + 1, q0 + 1, h, w, fill);
                    for (int k = 0; k < c; k++)
                        yd[o + k] = (float)(w00 * Read(xd, image, i00, c, k, fillValue) + w01 * Read(xd, image, i01, c, k, fillValue)
                            + w10 * Read(xd, image, i10, c, k, fillValue) + w11 * Read(xd, image, i11, c, k, fillValue));
                }
        });
    }

    private static double Read(float[] xd, int image, int pixel, int c, int k, float fillValue) =>
        pixel < 0 ? fillValue : xd[image + pixel * c + k];

    /// <summary>The pixel (row · w + col) that the extended image holds at (row, col), or -1 for the fill value.</summary>
    private static int Pixel(long row, long col, int h, int w, ImageFill fill)
    {
        if (row >= 0 && row < h && col >= 0 && col < w) return (int)(row * w + col);
        if (fill == ImageFill.Constant) return -1;
        return Fold(row, h, fill) * w + Fold(col, w, fill);
    }

    /// <summary>np.pad's index rule outside [0, n): edge clamps, wrap is periodic in n, symmetric in 2n, reflect in 2n - 2.</summary>
    private static int Fold(long i, int n, ImageFill fill)
    {
        if (i >= 0 && i < n) return (int)i;
        switch (fill)
        {
            case ImageFill.Nearest: return i < 0 ? 0 : n - 1;
            case ImageFill.Wrap: return (int)(((i % n) + n) % n);
            case ImageFill.Reflect:
            {
                long p = 2L * n, k = ((i % p) + p) % p;
                return (int)(k < n ? k : p - 1 - k);
            }
            default:   // Mirror
            {
                if (n == 1) return 0;
                long p = 2L * n - 2, k = ((i % p) + p) % p;
                return (int)(k < n ? k : p - k);
            }
        }
    }
}
