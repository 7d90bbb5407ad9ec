namespace DeepSharp.Backends.Reference;

/// <summary>The image primitives of the preprocessing layers as their formulas: every output sums its taps in double.</summary>
internal sealed partial class ReferenceBackend
{
    public void Resample(Tensor x, Tensor y, ResampleAxis rows, ResampleAxis cols, float fillValue)
    {
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3);
        for (int b = 0; b < n; b++)
            for (int i = 0; i < rows.OutSize; i++)
                for (int j = 0; j < cols.OutSize; j++)
                    for (int k = 0; k < c; k++)
                    {
                        double s = 0;
                        for (int a = 0; a < rows.Taps; a++)
                            for (int t = 0; t < cols.Taps; t++)
                            {
                                int r = rows.Start[i] + a, q = cols.Start[j] + t;
                                double v = r >= 0 && r < h && q >= 0 && q < w ? x.Data[((b * h + r) * w + q) * c + k] : fillValue;
                                s += (double)rows.Weights[i * rows.Taps + a] * cols.Weights[j * cols.Taps + t] * v;
                            }
                        y.Data[((b * rows.OutSize + i) * cols.OutSize + j) * c + k] = (float)s;
                    }
    }

    public void ResampleBackward(Tensor dy, Tensor dx, ResampleAxis rows, ResampleAxis cols)
    {
        int n = dx.Dim(0), h = dx.Dim(1), w = dx.Dim(2), c = dx.Dim(3);
        var acc = new double[dx.Size];
        for (int b = 0; b < n; b++)
            for (int i = 0; i < rows.OutSize; i++)
                for (int j = 0; j < cols.OutSize; j++)
                    for (int k = 0; k < c; k++)
                    {
                        double g = dy.Data[((b * rows.OutSize + i) * cols.OutSize + j) * c + k];
                        for (int a = 0; a < rows.Taps; a++)
                            for (int t = 0; t < cols.Taps; t++)
                            {
                                int r = rows.Start[i] + a, q = cols.Start[j] + t;
                                if (r < 0 || r >= h || q < 0 || q >= w) continue;
                                acc[((b * h + r) * w + q) * c + k] += (double)rows.Weights[i * rows.Taps + a] * cols.Weights[j * cols.Taps + t] * g;
                            }
                    }
        for (int i = 0; i < dx.Size; i++) dx.Data[i] = (float)acc[i];
    }

    public void AffineTransform(Tensor x, Tensor y, float[] transforms, bool nearest, ImageFill fill, float fillValue)
    {
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3);
        for (int b = 0; b < n; b++)
        {
            var m = transforms.AsSpan(b * 6, 6);
            for (int r = 0; r < h; r++)
                for (int q = 0; q < w; q++)
                {
                    // Keras' einsum order: row·b1 + col·b0 (+ channel·c0 = 0), then the offset b2.
                    double inRow = (double)r * m[4] + (double)q * m[3] + m[5];
                    double inCol = (double)r * m[1] + (double)q * m[0] + m[2];
                    for (int k = 0; k < c; k++)
                    {
                        double s;
                        if (nearest) s = Extended(x, b, (long)Math.Floor(inRow + 0.5), (long)Math.Floor(inCol + 0.5), k, fill, fillValue);
                        else
                        {
                            long r0 = (long)Math.Floor(inRow), q0 = (long)Math.Floor(inCol);
                            double fr = inRow - r0, fq = inCol - q0;
                            s = (1 - fr) * (1 - fq) * Extended(x, b, r0, q0, k, fill, fillValue)
                              + (1 - fr) * fq * Extended(x, b, r0, q0 + 1, k, fill, fillValue)
                              + fr * (1 - fq) * Extended(x, b, r0 + 1, q0, k, fill, fillValue)
                              + fr * fq * Extended(x, b, r0 + 1, q0 + 1, k, fill, fillValue);
                        }
                        y.Data[((b * h + r) * w + q) * c + k] = (float)s;
                    }
                }
        }
    }

    /// <summary>x[b, row, col, k] of the image extended past its edges by np.pad's mode for <paramref name="fill"/>.</summary>
    private static double Extended(Tensor x, int b, long row, long col, int k, ImageFill fill, float fillValue)
    {
        int h = x.Dim(1), w = x.Dim(2), c = x.Dim(3);
        if (fill == ImageFill.Constant && (row < 0 || row >= h || col < 0 || col >= w)) return fillValue;
        int r = Fold(row, h, fill), q = Fold(col, w, fill);
        return x.Data[((b * h + r) * w + q) * c + k];
    }

    /// <summary>np.pad's index rule: edge clamps, wrap is periodic in n, symmetric in 2n, reflect in 2n - 2.</summary>
    private static int Fold(long i, int n, ImageFill fill)
    {
        if (i >= 0 && i < n) return (int)i;
        switch (fill)
        {
            case ImageFill.Nearest: return i < 0 ? 0 : n - 1;
            case ImageFill.Wrap: return (int)(((i % n) + n) % n);
            case ImageFill.Reflect:
            {
                long p = 2L * n, m = ((i % p) + p) % p;
                return (int)(m < n ? m : p - 1 - m);
            }
            case ImageFill.Mirror:
            {
                if (n == 1) return 0;
                long p = 2L * n - 2, m = ((i % p) + p) % p;
                return (int)(m < n ? m : p - m);
            }
            default: throw new ArgumentOutOfRangeException(nameof(fill), fill, "constant fill has no index inside the image");
        }
    }
}
