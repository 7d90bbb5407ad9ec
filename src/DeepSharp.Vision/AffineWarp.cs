namespace DeepSharp.Vision;

/// <summary>
/// The random transform's geometry and pixel operations, with Keras' <c>apply_affine_transform</c> and scipy's
/// <c>ndimage.affine_transform(order=1 or 0)</c> definitions (scipy 1.6 and later): one composed matrix maps each
/// output (row, col) to an input point, which is read with bilinear (or nearest) interpolation and the fill mode's
/// boundary rule. scipy folds the point with the mode's <c>map_coordinate</c> and then fetches the interpolation
/// neighbours that still fall outside with a per-mode index rule: half-sample symmetric for <c>reflect</c>
/// (…b a | a b c d | d c…), whole-sample mirror for the others (…c b | a b c d | c b…).
/// </summary>
internal static class AffineWarp
{
    /// <summary>
    /// Keras' composition: rotation · shift · shear · zoom, then centred with transform_matrix_offset_center
    /// (centre at h/2 + 0.5, w/2 + 0.5). Returns the 2x3 matrix mapping output (row, col) to input (row, col),
    /// or null when the transform is the identity (no resampling needed).
    /// </summary>
    public static double[]? Matrix(TransformParameters p, int h, int w)
    {
        double[,]? m = null;
        if (p.Theta != 0)
        {
            double t = p.Theta * Math.PI / 180;
            m = new[,] { { Math.Cos(t), -Math.Sin(t), 0 }, { Math.Sin(t), Math.Cos(t), 0 }, { 0, 0, 1 } };
        }
        if (p.Tx != 0 || p.Ty != 0)
            m = Mul(m, new[,] { { 1, 0, p.Tx }, { 0, 1, p.Ty }, { 0, 0, 1 } });
        if (p.Shear != 0)
        {
            double s = p.Shear * Math.PI / 180;
            m = Mul(m, new[,] { { 1, -Math.Sin(s), 0 }, { 0, Math.Cos(s), 0 }, { 0, 0, 1 } });
        }
        if (p.Zx != 1 || p.Zy != 1)
            m = Mul(m, new[,] { { p.Zx, 0, 0 }, { 0, p.Zy, 0 }, { 0, 0, 1 } });
        if (m is null) return null;
        double ox = h / 2.0 + 0.5, oy = w / 2.0 + 0.5;
        m = Mul(Mul(new[,] { { 1, 0, ox }, { 0, 1, oy }, { 0, 0, 1 } }, m), new[,] { { 1, 0, -ox }, { 0, 1, -oy }, { 0, 0, 1 } });
        return [m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2]];
    }

    private static double[,] Mul(double[,]? a, double[,] b)
    {
        if (a is null) return b;
        var r = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                r[i, j] = a[i, 0] * b[0, j] + a[i, 1] * b[1, j] + a[i, 2] * b[2, j];
        return r;
    }

    /// <summary>
    /// Resamples src (h, w, c) into dst through the 2x3 matrix <paramref name="m"/>. Per output row, the columns whose
    /// input point has all four bilinear neighbours inside the image are found first (the input point moves linearly
    /// along a row), and run through a branch-free loop; only the columns near the border use the fill-mode rule.
    /// </summary>
    public static unsafe void Warp(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int c, double[] m, FillMode mode, float cval,
        int order = 1)
    {
        if (order == 0)
        {
            WarpNearest(src, dst, h, w, c, m, mode, cval);
            return;
        }
        fixed (float* ps = src, pd = dst)
        {
            for (int r = 0; r < h; r++)
            {
                double baseR = m[0] * r + m[2], baseC = m[3] * r + m[5];
                var (lo, hi) = InteriorColumns(baseR, m[1], h - 1, baseC, m[4], w - 1, w);
                float* rowOut = pd + (long)r * w * c;
                for (int col = 0; col < lo; col++)
                    Border(ps, rowOut + col * c, h, w, c, baseR + m[1] * col, baseC + m[4] * col, mode, cval);
                if (c == 3) Interior3(ps, rowOut, w, lo, hi, baseR, m[1], baseC, m[4]);
                else
                    for (int col = lo; col < hi; col++)
                        Interior(ps, rowOut + col * c, w, c, baseR + m[1] * col, baseC + m[4] * col);
                for (int col = Math.Max(hi, lo); col < w; col++)
                    Border(ps, rowOut + col * c, h, w, c, baseR + m[1] * col, baseC + m[4] * col, mode, cval);
            }
        }
    }

    /// <summary>scipy's order-0 path: the input point, folded by the mode, rounded half up to a pixel.</summary>
    private static void WarpNearest(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int c, double[] m, FillMode mode, float cval)
    {
        for (int r = 0; r < h; r++)
            for (int col = 0; col < w; col++)
            {
                double cr = MapCoordinate(m[0] * r + m[1] * col + m[2], h, mode);
                double cc = MapCoordinate(m[3] * r + m[4] * col + m[5], w, mode);
                var o = dst.Slice((r * w + col) * c, c);
                if (cr <= -1.0 || cc <= -1.0) { o.Fill(cval); continue; }
                int sr = NeighbourIndex((int)Math.Floor(cr + 0.5), h, mode), sc = NeighbourIndex((int)Math.Floor(cc + 0.5), w, mode);
                src.Slice((sr * w + sc) * c, c).CopyTo(o);
            }
    }

    /// <summary>The column range [lo, hi) where 0 &lt;= base + slope*col &lt; max holds for both axes (shrunk by one
    /// column at each end against rounding; the border path is exact anyway).</summary>
    private static (int Lo, int Hi) InteriorColumns(double baseR, double slopeR, double maxR, double baseC, double slopeC, double maxC, int w)
    {
        double lo = 0, hi = w - 1;
        Clip(baseR, slopeR, maxR, ref lo, ref hi);
        Clip(baseC, slopeC, maxC, ref lo, ref hi);
        if (hi < lo) return (0, 0);
        int l = (int)Math.Ceiling(lo) + 1, hh = (int)Math.Floor(hi) - 1 + 1;
        l = Math.Clamp(l, 0, w);
        hh = Math.Clamp(hh, l, w);
        return (l, hh);
    }

    private static void Clip(double b, double s, double max, ref double lo, ref double hi)
    {
        // 0 <= b + s*x < max
        if (s == 0)
        {
            if (!(b >= 0 && b < max)) { lo = 1; hi = 0; }
            return;
        }
        double x0 = (0 - b) / s, x1 = (max - b) / s;
        if (s < 0) (x0, x1) = (x1, x0);
        lo = Math.Max(lo, x0);
        hi = Math.Min(hi, x1);
    }

    private static unsafe void Interior3(float* src, float* rowOut, int w, int lo, int hi, double baseR, double sR, double baseC, double sC)
    {
        int stride = w * 3;
        for (int col = lo; col < hi; col++)
        {
            double ir = baseR + sR * col, ic = baseC + sC * col;
            int r0 = (int)ir, c0 = (int)ic;
            float fr = (float)(ir - r0), fc = (float)(ic - c0);
            float* p00 = src + (r0 * w + c0) * 3;
            float* p10 = p00 + stride;
            float w00 = (1 - fr) * (1 - fc), w01 = (1 - fr) * fc, w10 = fr * (1 - fc), w11 = fr * fc;
            float* o = rowOut + col * 3;
            o[0] = w00 * p00[0] + w01 * p00[3] + w10 * p10[0] + w11 * p10[3];
            o[1] = w00 * p00[1] + w01 * p00[4] + w10 * p10[1] + w11 * p10[4];
            o[2] = w00 * p00[2] + w01 * p00[5] + w10 * p10[2] + w11 * p10[5];
        }
    }

    private static unsafe void Interior(float* src, float* o, int w, int c, double ir, double ic)
    {
        int r0 = (int)ir, c0 = (int)ic;
        float fr = (float)(ir - r0), fc = (float)(ic - c0);
        float* p00 = src + (r0 * w + c0) * c;
        float* p10 = p00 + w * c;
        float w00 = (1 - fr) * (1 - fc), w01 = (1 - fr) * fc, w10 = fr * (1 - fc), w11 = fr * fc;
        for (int k = 0; k < c; k++)
            o[k] = w00 * p00[k] + w01 * p00[c + k] + w10 * p10[k] + w11 * p10[c + k];
    }

    /// <summary>One output pixel near the border: scipy's coordinate folding, then bilinear with mirrored neighbours.</summary>
    private static unsafe void Border(float* src, float* o, int h, int w, int c, double ir, double ic, FillMode mode, float cval)
    {
        double cr = MapCoordinate(ir, h, mode), cc = MapCoordinate(ic, w, mode);
        if (cr <= -1.0 || cc <= -1.0)
        {
            for (int k = 0; k < c; k++) o[k] = cval;
            return;
        }
        int sr = (int)Math.Floor(cr), sc = (int)Math.Floor(cc);
        float gr = (float)(cr - sr), gc = (float)(cc - sc);
        int ra = NeighbourIndex(sr, h, mode), rb = NeighbourIndex(sr + 1, h, mode);
        int ca = NeighbourIndex(sc, w, mode), cb = NeighbourIndex(sc + 1, w, mode);
        float* q00 = src + (ra * w + ca) * c, q01 = src + (ra * w + cb) * c, q10 = src + (rb * w + ca) * c, q11 = src + (rb * w + cb) * c;
        float v00 = (1 - gr) * (1 - gc), v01 = (1 - gr) * gc, v10 = gr * (1 - gc), v11 = gr * gc;
        for (int k = 0; k < c; k++)
            o[k] = v00 * q00[k] + v01 * q01[k] + v10 * q10[k] + v11 * q11[k];
    }

    /// <summary>scipy's map_coordinate: folds a coordinate outside [0, len-1] back in; -1 means "use cval".</summary>
    internal static double MapCoordinate(double x, int len, FillMode mode)
    {
        if (x < 0)
        {
            switch (mode)
            {
                case FillMode.Nearest: return 0;
                case FillMode.Constant: return -1;
                case FillMode.Reflect:
                {
                    if (len <= 1) return 0;
                    long sz2 = 2L * len;
                    if (x < -sz2) x = sz2 * (long)(-x / sz2) + x;
                    return x < -len ? x + sz2 : -x - 1;
                }
                default: // Wrap
                {
                    if (len <= 1) return 0;
                    long sz = len - 1;
                    return x + sz * ((long)(-x / sz) + 1);
                }
            }
        }
        if (x > len - 1)
        {
            switch (mode)
            {
                case FillMode.Nearest: return len - 1;
                case FillMode.Constant: return -1;
                case FillMode.Reflect:
                {
                    if (len <= 1) return 0;
                    long sz2 = 2L * len;
                    x -= sz2 * (long)(x / sz2);
                    return x >= len ? sz2 - x - 1 : x;
                }
                default:
                {
                    if (len <= 1) return 0;
                    long sz = len - 1;
                    return x - sz * (long)(x / sz);
                }
            }
        }
        return x;
    }

    /// <summary>scipy's rule for an interpolation neighbour outside the array: <c>reflect</c> mirrors about the outer
    /// edge of the border pixels (index -1 reads 0), every other mode about the border pixels (index -1 reads 1).</summary>
    internal static int NeighbourIndex(int idx, int len, FillMode mode)
    {
        if (mode != FillMode.Reflect) return MirrorIndex(idx, len);
        if ((uint)idx < (uint)len) return idx;
        long period = 2L * len;
        long i = idx % period;
        if (i < 0) i += period;
        return (int)(i < len ? i : period - 1 - i);
    }

    /// <summary>Mirror about the edge pixels (scipy's "mirror" extension).</summary>
    internal static int MirrorIndex(int idx, int len)
    {
        if (len <= 1) return 0;
        int s2 = 2 * len - 2;
        if (idx < 0)
        {
            idx = s2 * (-idx / s2) + idx;
            return idx <= 1 - len ? idx + s2 : -idx;
        }
        if (idx >= len)
        {
            idx -= s2 * (idx / s2);
            if (idx >= len) idx = s2 - idx;
        }
        return idx;
    }

    /// <summary>Keras' apply_channel_shift: add, then clip to the image's global min and max.</summary>
    public static void ChannelShift(Span<float> x, float intensity)
    {
        float min = System.Numerics.Tensors.TensorPrimitives.Min(x), max = System.Numerics.Tensors.TensorPrimitives.Max(x);
        for (int i = 0; i < x.Length; i++) x[i] = Math.Clamp(x[i] + intensity, min, max);
    }

    public static void FlipColumns(Span<float> x, int h, int w, int c)
    {
        for (int r = 0; r < h; r++)
            for (int a = 0, b = w - 1; a < b; a++, b--)
                for (int k = 0; k < c; k++)
                    (x[(r * w + a) * c + k], x[(r * w + b) * c + k]) = (x[(r * w + b) * c + k], x[(r * w + a) * c + k]);
    }

    public static void FlipRows(Span<float> x, int h, int w, int c)
    {
        int row = w * c;
        Span<float> tmp = row <= 4096 ? stackalloc float[row] : new float[row];
        for (int a = 0, b = h - 1; a < b; a++, b--)
        {
            x.Slice(a * row, row).CopyTo(tmp);
            x.Slice(b * row, row).CopyTo(x.Slice(a * row, row));
            tmp.CopyTo(x.Slice(b * row, row));
        }
    }

    /// <summary>
    /// Keras' apply_brightness_shift (keras_preprocessing 1.1) through PIL, in float32 as numpy does it:
    /// <c>array_to_img(scale=True)</c> shifts the image up by -min only when the minimum is negative, divides by the
    /// maximum (when it is not 0), multiplies by 255 and truncates to bytes; <c>ImageEnhance.Brightness</c> blends
    /// with black, out = (uint8)(factor · v) (clipped to 0..255 when the factor is above 1). The result is 0..255
    /// whatever the input's range (as in Keras).
    /// </summary>
    public static void Brightness(Span<float> x, float factor)
    {
        float min = System.Numerics.Tensors.TensorPrimitives.Min(x);
        float shift = Math.Max(-min, 0f);
        float max = System.Numerics.Tensors.TensorPrimitives.Max(x) + shift;
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i] + shift;
            if (max != 0) v /= max;
            v *= 255f;
            int b = v <= 0 ? 0 : v >= 255 ? 255 : (int)v;
            float t = factor * b;
            x[i] = t <= 0 ? 0 : t >= 255 ? 255 : (int)t;
        }
    }
}
