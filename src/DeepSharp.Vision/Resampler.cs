namespace DeepSharp.Vision;

/// <summary>
/// Resizes 8-bit interleaved images (height, width, channels) with PIL's <c>Image.resize</c> definitions,
/// so that Keras' <c>load_img(..., target_size)</c> numbers carry over: nearest picks source pixel
/// floor((x + 0.5) * in / out); the other filters are separable convolutions, horizontal pass first,
/// with the filter's support widened by the scale when shrinking (antialiasing), rounded to bytes after each pass.
/// </summary>
internal static class Resampler
{
    public static byte[] Resize(byte[] src, int h, int w, int c, int outH, int outW, Interpolation interpolation)
    {
        if (h == outH && w == outW) return src;
        if (interpolation == Interpolation.Nearest) return Nearest(src, h, w, c, outH, outW);

        byte[] current = src;
        int curW = w;
        if (outW != w)
        {
            current = HorizontalPass(current, h, w, c, outW, interpolation);
            curW = outW;
        }
        if (outH != h)
            current = VerticalPass(current, h, curW, c, outH, interpolation);
        return current;
    }

    private static byte[] Nearest(byte[] src, int h, int w, int c, int outH, int outW)
    {
        var dst = new byte[outH * outW * c];
        var xs = new int[outW];
        double sx = (double)w / outW, sy = (double)h / outH;
        for (int x = 0; x < outW; x++) xs[x] = Math.Min((int)((x + 0.5) * sx), w - 1);
        for (int y = 0; y < outH; y++)
        {
            int sy0 = Math.Min((int)((y + 0.5) * sy), h - 1);
            for (int x = 0; x < outW; x++)
                Buffer.BlockCopy(src, (sy0 * w + xs[x]) * c, dst, (y * outW + x) * c, c);
        }
        return dst;
    }

    private static byte[] HorizontalPass(byte[] src, int h, int w, int c, int outW, Interpolation f)
    {
        var (starts, counts, weights, k) = Coefficients(w, outW, f);
        var dst = new byte[h * outW * c];
        Span<double> acc = stackalloc double[c];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < outW; x++)
            {
                acc.Clear();
                for (int i = 0; i < counts[x]; i++)
                {
                    double wt = weights[x * k + i];
                    int s = (y * w + starts[x] + i) * c;
                    for (int ch = 0; ch < c; ch++) acc[ch] += wt * src[s + ch];
                }
                int d = (y * outW + x) * c;
                for (int ch = 0; ch < c; ch++) dst[d + ch] = ToByte(acc[ch]);
            }
        return dst;
    }

    private static byte[] VerticalPass(byte[] src, int h, int w, int c, int outH, Interpolation f)
    {
        var (starts, counts, weights, k) = Coefficients(h, outH, f);
        var dst = new byte[outH * w * c];
        var acc = new double[w * c];
        for (int y = 0; y < outH; y++)
        {
            Array.Clear(acc);
            for (int i = 0; i < counts[y]; i++)
            {
                double wt = weights[y * k + i];
                int row = (starts[y] + i) * w * c;
                for (int j = 0; j < w * c; j++) acc[j] += wt * src[row + j];
            }
            int d = y * w * c;
            for (int j = 0; j < w * c; j++) dst[d + j] = ToByte(acc[j]);
        }
        return dst;
    }

    private static byte ToByte(double v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(int)(v + 0.5);

    /// <summary>PIL's precompute_coeffs: per output index, the first source index, the count and normalized weights.</summary>
    private static (int[] Starts, int[] Counts, double[] Weights, int K) Coefficients(int inSize, int outSize, Interpolation f)
    {
        double support0 = f switch { Interpolation.Area => 0.5, Interpolation.Bilinear => 1.0, _ => 2.0 };
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = support0 * filterScale;
        int k = (int)Math.Ceiling(support) * 2 + 1;
        var starts = new int[outSize];
        var counts = new int[outSize];
        var weights = new double[outSize * k];
        for (int x = 0; x < outSize; x++)
        {
            double center = (x + 0.5) * scale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double total = 0;
            for (int i = 0; i < xmax; i++)
            {
                double wt = Filter(f, (i + xmin - center + 0.5) / filterScale);
                weights[x * k + i] = wt;
                total += wt;
            }
            if (total != 0) for (int i = 0; i < xmax; i++) weights[x * k + i] /= total;
            starts[x] = xmin;
            counts[x] = xmax;
        }
        return (starts, counts, weights, k);
    }

    private static double Filter(Interpolation f, double x)
    {
        switch (f)
        {
            case Interpolation.Area:
                return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            case Interpolation.Bilinear:
                x = Math.Abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            default:
                const double a = -0.5;
                x = Math.Abs(x);
                if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                return 0.0;
        }
    }
}
