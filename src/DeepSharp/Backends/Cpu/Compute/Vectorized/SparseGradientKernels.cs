using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The loops of a convolution's backward pass from a sparse dz (mostly zeros: a max pooling's gradient through a
/// ReLU), at any vector width. A nonzero dz[p, f] = v adds v · (the input patch of p) to filter f's gradient and
/// v · (filter f) to dx over that patch; a zero costs nothing. Both are one primitive, <see cref="AccumulateRun"/>:
/// a run of floats plus a weighted sum of runs picked by index, kept in registers over the whole list.
/// </summary>
internal static unsafe class SparseGradientKernels
{
    /// <summary>
    /// The nonzeros of rows [0, rows) of dz (rows × f, row-major), row by row: entries rowStart[r] to rowStart[r+1]
    /// of channel/value (rowStart has rows + 1 slots; channel and value room for rows·f). Returns their count.
    /// </summary>
    public static int GatherRows(float* dz, int rows, int f, int* rowStart, int* channel, float* value, VectorWidth width) => width switch
    {
        VectorWidth.W512 => GatherRows<Vector512<float>, Simd512>(dz, rows, f, rowStart, channel, value),
        VectorWidth.W256 => GatherRows<Vector256<float>, Simd256>(dz, rows, f, rowStart, channel, value),
        VectorWidth.W128 => GatherRows<Vector128<float>, Simd128>(dz, rows, f, rowStart, channel, value),
        _ => GatherRowsScalar(dz, rows, f, rowStart, channel, value),
    };

    /// <summary>A vector of channels at a time: all-zero vectors are skipped, the others give their nonzero lanes' bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int GatherRows<TVec, S>(float* dz, int rows, int f, int* rowStart, int* channel, float* value)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int n = 0, lanes = S.Count, whole = f - f % lanes;
        for (int r = 0; r < rows; r++)
        {
            rowStart[r] = n;
            float* d = dz + (long)r * f;
            for (int c = 0; c < whole; c += lanes)
                for (uint bits = S.NonZeroLanes(S.Load(d + c)); bits != 0; bits &= bits - 1)
                {
                    int i = c + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    channel[n] = i;
                    value[n++] = d[i];
                }
            for (int c = whole; c < f; c++)
                if (d[c] != 0f) { channel[n] = c; value[n++] = d[c]; }
        }
        rowStart[rows] = n;
        return n;
    }

    private static int GatherRowsScalar(float* dz, int rows, int f, int* rowStart, int* channel, float* value)
    {
        int n = 0;
        for (int r = 0; r < rows; r++)
        {
            rowStart[r] = n;
            float* d = dz + (long)r * f;
            for (int c = 0; c < f; c++)
                if (d[c] != 0f) { channel[n] = c; value[n++] = d[c]; }
        }
        rowStart[rows] = n;
        return n;
    }

    /// <summary>
    /// dst[j] += Σ_{e ∈ [e0, e1)} value[e] · src[index[e]·stride + j] for j in [0, run), at the widest accelerated
    /// width or at <paramref name="width"/> (tests run each).
    /// </summary>
    public static void AccumulateRun(float* dst, float* src, int* index, float* value, int e0, int e1, int stride, int run, VectorWidth width)
    {
        switch (width)
        {
            case VectorWidth.W512: AccumulateRun<Vector512<float>, Simd512>(dst, src, index, value, e0, e1, stride, run); break;
            case VectorWidth.W256: AccumulateRun<Vector256<float>, Simd256>(dst, src, index, value, e0, e1, stride, run); break;
            case VectorWidth.W128: AccumulateRun<Vector128<float>, Simd128>(dst, src, index, value, e0, e1, stride, run); break;
            default: AccumulateRunScalar(dst, src, index, value, e0, e1, stride, run); break;
        }
    }

    /// <summary>Four vectors of dst at a time stay in registers while every entry adds its run; then one vector; then a scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateRun<TVec, S>(float* dst, float* src, int* index, float* value, int e0, int e1, int stride, int run)
        where TVec : struct where S : struct, ISimd<TVec>
    {
        int lanes = S.Count, j = 0;
        for (; j + 8 * lanes <= run; j += 8 * lanes)
        {
            float* o = dst + j;
            TVec a0 = S.Load(o), a1 = S.Load(o + lanes), a2 = S.Load(o + 2 * lanes), a3 = S.Load(o + 3 * lanes);
            TVec a4 = S.Load(o + 4 * lanes), a5 = S.Load(o + 5 * lanes), a6 = S.Load(o + 6 * lanes), a7 = S.Load(o + 7 * lanes);
            for (int e = e0; e < e1; e++)
            {
                float* s = src + (long)index[e] * stride + j;
                var v = S.Create(value[e]);
                a0 = S.MultiplyAdd(v, S.Load(s), a0);
                a1 = S.MultiplyAdd(v, S.Load(s + lanes), a1);
                a2 = S.MultiplyAdd(v, S.Load(s + 2 * lanes), a2);
                a3 = S.MultiplyAdd(v, S.Load(s + 3 * lanes), a3);
                a4 = S.MultiplyAdd(v, S.Load(s + 4 * lanes), a4);
                a5 = S.MultiplyAdd(v, S.Load(s + 5 * lanes), a5);
                a6 = S.MultiplyAdd(v, S.Load(s + 6 * lanes), a6);
                a7 = S.MultiplyAdd(v, S.Load(s + 7 * lanes), a7);
            }
            S.Store(a0, o); S.Store(a1, o + lanes); S.Store(a2, o + 2 * lanes); S.Store(a3, o + 3 * lanes);
            S.Store(a4, o + 4 * lanes); S.Store(a5, o + 5 * lanes); S.Store(a6, o + 6 * lanes); S.Store(a7, o + 7 * lanes);
        }
        for (; j + 4 * lanes <= run; j += 4 * lanes)
        {
            float* o = dst + j;
            TVec a0 = S.Load(o), a1 = S.Load(o + lanes), a2 = S.Load(o + 2 * lanes), a3 = S.Load(o + 3 * lanes);
            for (int e = e0; e < e1; e++)
            {
                float* s = src + (long)index[e] * stride + j;
                var v = S.Create(value[e]);
                a0 = S.MultiplyAdd(v, S.Load(s), a0);
                a1 = S.MultiplyAdd(v, S.Load(s + lanes), a1);
                a2 = S.MultiplyAdd(v, S.Load(s + 2 * lanes), a2);
                a3 = S.MultiplyAdd(v, S.Load(s + 3 * lanes), a3);
            }
            S.Store(a0, o); S.Store(a1, o + lanes); S.Store(a2, o + 2 * lanes); S.Store(a3, o + 3 * lanes);
        }
        for (; j + lanes <= run; j += lanes)
        {
            TVec a = S.Load(dst + j);
            for (int e = e0; e < e1; e++) a = S.MultiplyAdd(S.Create(value[e]), S.Load(src + (long)index[e] * stride + j), a);
            S.Store(a, dst + j);
        }
        if (j < run) AccumulateRunScalar(dst + j, src + j, index, value, e0, e1, stride, run - j);
    }

    private static void AccumulateRunScalar(float* dst, float* src, int* index, float* value, int e0, int e1, int stride, int run)
    {
        for (int j = 0; j < run; j++)
        {
            float a = dst[j];
            for (int e = e0; e < e1; e++) a += value[e] * src[(long)index[e] * stride + j];
            dst[j] = a;
        }
    }
}
