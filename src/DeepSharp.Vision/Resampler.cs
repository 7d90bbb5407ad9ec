namespace DeepSharp.Vision;

/// <summary>
/// Resizes 8-bit interleaved images (height, width, channels) exactly as Pillow 9's <c>Image.resize</c>, so that
/// Keras' <c>load_img(..., target_size, interpolation)</c> numbers carry over pixel for pixel:
/// <list type="bullet">
/// <item>nearest (<c>ImagingScaleAffine</c>): the source position starts at scale/2 and the scale is added once per
/// output pixel in double precision; the source index is the truncated position (see <see cref="NearestIndices"/>).</item>
/// <item>the other filters (<c>ImagingResample</c>): separable convolutions, horizontal pass first, the filter's
/// support widened by the scale when shrinking (antialiasing), weights normalized in double and then rounded to
/// 22-bit fixed point; each pass sums integers and rounds to bytes.</item>
/// <item>RGBA images are premultiplied by alpha for the smooth filters and un-premultiplied after (Pillow's RGBa).</item>
/// </list>
/// </summary>
internal static class Resampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes the region <paramref name="box"/> (x0, y0, x1, y1; default the whole image) to outH × outW,
    /// as Pillow's <c>Image.resize(size, resample, box)</c>.</summary>
    public static byte[] Resize(byte[] src, int h, int w, int c, int outH, int outW, Interpolation interpolation,
        (int X0, int Y0, int X1, int Y1)? box = null)
    {
        var (x0, y0, x1, y1) = box ?? (0, 0, w, h);
        bool horizontal = outW != w || x0 != 0 || x1 != w, vertical = outH != h || y0 != 0 || y1 != h;
        if (!horizontal && !vertical) return src;
        if (interpolation == Interpolation.Nearest) return Nearest(src, h, w, c, outH, outW, x0, y0, x1, y1);

        bool premultiply = c == 4;
        byte[] current = premultiply ? Premultiply(src) : src;
        int curW = w;
        if (horizontal)
        {
            current = HorizontalPass(current, h, w, c, outW, interpolation, x0, x1);
            curW = outW;
        }
        if (vertical)
            current = VerticalPass(current, h, curW, c, outH, interpolation, y0, y1);
        if (premultiply) Unpremultiply(current);
        return current;
    }

    /// <summary>Pillow's nearest-neighbour source indices for resizing <paramref name="inSize"/> to <paramref name="outSize"/>.</summary>
    internal static int[] NearestIndices(int inSize, int outSize, int start = 0, int end = -1)
    {
        if (end < 0) end = inSize;
        var idx = new int[outSize];
        double scale = (double)(end - start) / outSize;
        double pos = start + scale * 0.5;
        for (int i = 0; i < outSize; i++)
        {
            idx[i] = Math.Min((int)pos, inSize - 1);
            pos += scale;
        }
        return idx;
    }

    private static byte[] Nearest(byte[] src, int h, int w, int c, int outH, int outW, int x0, int y0, int x1, int y1)
    {
        var dst = new byte[outH * outW * c];
        int[] xs = NearestIndices(w, outW, x0, x1), ys = NearestIndices(h, outH, y0, y1);
        for (int y = 0; y < outH; y++)
        {
            int row = ys[y] * w;
            for (int x = 0; x < outW; x++)
                Buffer.BlockCopy(src, (row + xs[x]) * c, dst, (y * outW + x) * c, c);
        }
        return dst;
    }

    private static byte[] HorizontalPass(byte[] src, int h, int w, int c, int outW, Interpolation f, int x0, int x1)
    {
        var (starts, counts, weights, k) = Coefficients(w, x0, x1, outW, f);
        var dst = new byte[h * outW * c];
        Span<int> acc = stackalloc int[c];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < outW; x++)
            {
                acc.Fill(1 << (PrecisionBits - 1));
                for (int i = 0; i < counts[x]; i++)
                {
                    int wt = weights[x * k + i];
                    int s = (y * w + starts[x] + i) * c;
                    for (int ch = 0; ch < c; ch++) acc[ch] += wt * src[s + ch];
                }
                int d = (y * outW + x) * c;
                for (int ch = 0; ch < c; ch++) dst[d + ch] = Clip8(acc[ch]);
            }
        return dst;
    }

    private static byte[] VerticalPass(byte[] src, int h, int w, int c, int outH, Interpolation f, int y0, int y1)
    {
        var (starts, counts, weights, k) = Coefficients(h, y0, y1, outH, f);
        var dst = new byte[outH * w * c];
        var acc = new int[w * c];
        for (int y = 0; y < outH; y++)
        {
            Array.Fill(acc, 1 << (PrecisionBits - 1));
            for (int i = 0; i < counts[y]; i++)
            {
                int wt = weights[y * k + i];
                int row = (starts[y] + i) * w * c;
                for (int j = 0; j < w * c; j++) acc[j] += wt * src[row + j];
            }
            int d = y * w * c;
            for (int j = 0; j < w * c; j++) dst[d + j] = Clip8(acc[j]);
        }
        return dst;
    }

    private static byte Clip8(int v) => v >= (1 << PrecisionBits << 8) ? (byte)255 : v <= 0 ? (byte)0 : (byte)(v >> PrecisionBits);

    /// <summary>Pillow's precompute_coeffs + normalize_coeffs_8bpc: per output index, the first source index, the count
    /// and the weights in 22-bit fixed point.</summary>
    private static (int[] Starts, int[] Counts, int[] Weights, int K) Coefficients(int inSize, int in0, int in1, int outSize, Interpolation f)
    {
        double support0 = f switch { Interpolation.Area => 0.5, Interpolation.Bilinear or Interpolation.Hamming => 1.0, Interpolation.Lanczos => 3.0, _ => 2.0 };
        double scale = (double)(in1 - in0) / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = support0 * filterScale;
        int k = (int)Math.Ceiling(support) * 2 + 1;
        var starts = new int[outSize];
        var counts = new int[outSize];
        var weights = new int[outSize * k];
        var pre = new double[k];
        for (int x = 0; x < outSize; x++)
        {
            double center = in0 + (x + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double total = 0;
            for (int i = 0; i < xmax; i++)
            {
                double wt = Filter(f, (i + xmin - center + 0.5) * ss);
                pre[i] = wt;
                total += wt;
            }
            for (int i = 0; i < xmax; i++)
            {
                double v = total != 0 ? pre[i] / total : pre[i];
                weights[x * k + i] = v < 0 ? (int)(-0.5 + v * (1 << PrecisionBits)) : (int)(0.5 + v * (1 << PrecisionBits));
            }
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
            case Interpolation.Hamming:
                x = Math.Abs(x);
                if (x == 0.0) return 1.0;
                if (x >= 1.0) return 0.0;
                x *= Math.PI;
                return Math.Sin(x) / x * ((double)0.54f + (double)0.46f * Math.Cos(x));
            case Interpolation.Lanczos:
                return x >= -3.0 && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0;
            default:
                const double a = -0.5;
                x = Math.Abs(x);
                if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                return 0.0;
        }
    }

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    /// <summary>Pillow's RGBA → RGBa: each color times alpha / 255, rounded (MULDIV255).</summary>
    private static byte[] Premultiply(byte[] rgba)
    {
        var dst = new byte[rgba.Length];
        for (int i = 0; i < rgba.Length; i += 4)
        {
            int a = rgba[i + 3];
            for (int k = 0; k < 3; k++)
            {
                int t = rgba[i + k] * a + 128;
                dst[i + k] = (byte)(((t >> 8) + t) >> 8);
            }
            dst[i + 3] = (byte)a;
        }
        return dst;
    }

    /// <summary>Pillow's RGBa → RGBA: each color times 255 / alpha, truncated and clipped (alpha 0 and 255 unchanged).</summary>
    private static void Unpremultiply(byte[] rgba)
    {
        for (int i = 0; i < rgba.Length; i += 4)
        {
            int a = rgba[i + 3];
            if (a is 0 or 255) continue;
            for (int k = 0; k < 3; k++) rgba[i + k] = (byte)Math.Min(255, 255 * rgba[i + k] / a);
        }
    }
}
