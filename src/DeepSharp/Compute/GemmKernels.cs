using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace DeepSharp.Compute;

/// <summary>
/// The GEMM's inner loops. Baseline: rows of C split across threads, each row an AXPY sweep over op(B).
/// </summary>
internal static unsafe class GemmKernels
{
    public static void Run(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias, Epilogue epilogue)
    {
        float[]? packedB = null;
        try
        {
            if (transB)
            {
                // Bring B to k×n row-major so the inner loop is contiguous.
                packedB = ArrayPool<float>.Shared.Rent(k * n);
                fixed (float* pb = packedB)
                {
                    for (int j = 0; j < n; j++)
                        for (int p = 0; p < k; p++)
                            pb[p * n + j] = b[j * ldb + p];
                }
            }
            fixed (float* pbT = packedB)
            {
                float* bb = transB ? pbT : b;
                int bStride = transB ? n : ldb;
                long work = (long)m * n * k;
                int chunks = work < 64 * 64 * 64 ? 1 : Math.Min(m, Workers.ThreadCount * 4);
                int rowsPer = (m + chunks - 1) / chunks;
                nint pa = (nint)a, pbb = (nint)bb, pc = (nint)c, pbias = (nint)bias;
                Workers.For(chunks, t =>
                {
                    int r0 = t * rowsPer, r1 = Math.Min(m, r0 + rowsPer);
                    for (int i = r0; i < r1; i++)
                        Row(transA, i, n, k, (float*)pa, lda, (float*)pbb, bStride, (float*)pc + (long)i * ldc, accumulate, (float*)pbias, epilogue);
                });
            }
        }
        finally
        {
            if (packedB != null) ArrayPool<float>.Shared.Return(packedB);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(bool transA, int i, int n, int k, float* a, int lda, float* b, int ldb,
        float* cRow, bool accumulate, float* bias, Epilogue epilogue)
    {
        if (!accumulate) new Span<float>(cRow, n).Clear();
        int vw = Vector<float>.Count;
        for (int p = 0; p < k; p++)
        {
            float av = transA ? a[(long)p * lda + i] : a[(long)i * lda + p];
            if (av == 0f) continue;
            float* bRow = b + (long)p * ldb;
            var va = new Vector<float>(av);
            int j = 0;
            for (; j <= n - vw; j += vw)
            {
                var vc = Unsafe.ReadUnaligned<Vector<float>>(cRow + j);
                var vb = Unsafe.ReadUnaligned<Vector<float>>(bRow + j);
                Unsafe.WriteUnaligned(cRow + j, Vector.FusedMultiplyAdd(va, vb, vc));
            }
            for (; j < n; j++) cRow[j] += av * bRow[j];
        }
        if (bias != null)
            for (int j = 0; j < n; j++) cRow[j] += bias[j];
        if (epilogue == Epilogue.Relu)
            for (int j = 0; j < n; j++) if (cRow[j] < 0) cRow[j] = 0;
    }
}
