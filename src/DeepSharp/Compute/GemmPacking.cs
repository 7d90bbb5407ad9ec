using System.Runtime.CompilerServices;

namespace DeepSharp.Compute;

/// <summary>
/// Copies blocks of A and B into the order the micro-kernels read them. Packing absorbs the transposes
/// and strides, and pads edge panels with zeros so the kernels always see full MR×kc and kc×NR panels.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs rows [i0, i0+mc) and depth [p0, p0+kc) of op(A) into MR-row panels: panel r holds
    /// A(i0 + r·MR + i, p0 + p) at dst[r·MR·kc + p·MR + i].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, nint lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int ip = 0; ip < mc; ip += mr)
        {
            int rows = Math.Min(mr, mc - ip);
            float* d = dst + (nint)ip * kc;
            if (transA)
            {
                // A(i, p) = a[p·lda + i]: each depth step is a contiguous run of rows.
                float* src = a + p0 * lda + i0 + ip;
                for (int p = 0; p < kc; p++, src += lda, d += mr)
                {
                    int i = 0;
                    for (; i < rows; i++) d[i] = src[i];
                    for (; i < mr; i++) d[i] = 0f;
                }
            }
            else
            {
                // A(i, p) = a[i·lda + p]: read each row contiguously, write it strided by MR.
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + (i0 + ip + i) * lda + p0;
                    float* di = d + i;
                    for (int p = 0; p < kc; p++) di[p * mr] = src[p];
                }
                for (int i = rows; i < mr; i++)
                    for (int p = 0; p < kc; p++) d[p * mr + i] = 0f;
            }
        }
    }

    /// <summary>
    /// Packs depth [p0, p0+kc) and columns [j0, j0+nc) of op(B) into NR-column panels: panel s holds
    /// B(p0 + p, j0 + s·NR + j) at dst[s·NR·kc + p·NR + j].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, nint ldb, int p0, int kc, int j0, int nc, int nr, float* dst)
    {
        for (int jp = 0; jp < nc; jp += nr)
        {
            int cols = Math.Min(nr, nc - jp);
            float* d = dst + (nint)jp * kc;
            if (!transB)
            {
                // B(p, j) = b[p·ldb + j]: each depth step is a contiguous run of columns.
                float* src = b + p0 * ldb + j0 + jp;
                long bytes = cols * sizeof(float);
                for (int p = 0; p < kc; p++, src += ldb, d += nr)
                {
                    Buffer.MemoryCopy(src, d, bytes, bytes);
                    for (int j = cols; j < nr; j++) d[j] = 0f;
                }
            }
            else
            {
                // B(p, j) = b[j·ldb + p]: read each column's run contiguously, write it strided by NR.
                for (int j = 0; j < cols; j++)
                {
                    float* src = b + (j0 + jp + j) * ldb + p0;
                    float* dj = d + j;
                    for (int p = 0; p < kc; p++) dj[p * nr] = src[p];
                }
                for (int j = cols; j < nr; j++)
                    for (int p = 0; p < kc; p++) d[p * nr + j] = 0f;
            }
        }
    }
}
