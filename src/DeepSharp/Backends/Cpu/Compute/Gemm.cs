using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>What the GEMM does to each output value before storing it.</summary>
internal enum Epilogue
{
    None,
    /// <summary>max(0, x).</summary>
    Relu,
}

/// <summary>
/// Single-precision matrix multiply, row-major: C[m×n] = op(A)[m×k] · op(B)[k×n] (+ C when accumulate)
/// (+ bias per column), then the epilogue. op(X) is X or Xᵀ. lda/ldb/ldc are row strides.
/// </summary>
internal static class Gemm
{
    /// <summary>
    /// C = op(A)·op(B) [+ C] [+ bias] then epilogue.
    /// A is m×k (or k×m when transA), B is k×n (or n×k when transB), C is m×n.
    /// </summary>
    public static unsafe void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        bool accumulate = false, ReadOnlySpan<float> bias = default, Epilogue epilogue = Epilogue.None)
    {
        if (m == 0 || n == 0) return;
        CheckSizes(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc, bias.Length);
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            GemmKernels.Run(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate,
                bias.IsEmpty ? null : pbias, epilogue);
        }
    }

    /// <summary>
    /// C = op(A)·B [+ bias] then epilogue, with A produced block by block by <paramref name="a"/> (implicit
    /// GEMM: a convolution's im2col rows are never stored whole). The source's rows are A's rows (m×k), or,
    /// when transA, A's columns (the source is k×m and op(A) its transpose).
    /// </summary>
    internal static unsafe void MultiplyRows(IRowSource a, bool transA, int m, int n, int k, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, ReadOnlySpan<float> bias = default, Epilogue epilogue = Epilogue.None)
    {
        if (m == 0 || n == 0) return;
        CheckSizes(false, false, m, n, k, int.MaxValue, k, b.Length, ldb, c.Length, ldc, bias.Length);
        fixed (float* pb = b, pc = c, pbias = bias)
        {
            GemmKernels.Run(transA, false, m, n, k, null, transA ? m : k, pb, ldb, pc, ldc, false, bias.IsEmpty ? null : pbias, epilogue, a);
        }
    }

    private static void CheckSizes(bool transA, bool transB, int m, int n, int k,
        int aLen, int lda, int bLen, int ldb, int cLen, int ldc, int biasLen)
    {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (aRows > 0 && (lda < aCols || (long)(aRows - 1) * lda + aCols > aLen))
            throw new ArgumentException($"GEMM: A ({aRows}×{aCols}, lda {lda}) does not fit in {aLen} values.");
        if (bRows > 0 && (ldb < bCols || (long)(bRows - 1) * ldb + bCols > bLen))
            throw new ArgumentException($"GEMM: B ({bRows}×{bCols}, ldb {ldb}) does not fit in {bLen} values.");
        if (ldc < n || (long)(m - 1) * ldc + n > cLen)
            throw new ArgumentException($"GEMM: C ({m}×{n}, ldc {ldc}) does not fit in {cLen} values.");
        if (biasLen != 0 && biasLen < n)
            throw new ArgumentException($"GEMM: bias has {biasLen} values, expected {n}.");
    }

    /// <summary>
    /// Widest C for which the GEMM reads A's rows in place (see <see cref="GemmKernels.ReadRowsMaxColumns"/>), or 0 when
    /// the micro-kernel in use always packs A.
    /// </summary>
    public static int ReadRowsMaxColumns => GemmKernels.ReadsRows ? GemmKernels.ReadRowsMaxColumns : 0;

    /// <summary>The plain triple loop every fast path is tested against.</summary>
    public static void Reference(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        bool accumulate = false, ReadOnlySpan<float> bias = default, Epilogue epilogue = Epilogue.None)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? c[i * ldc + j] : 0;
                for (int p = 0; p < k; p++)
                    s += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                if (!bias.IsEmpty) s += bias[j];
                if (epilogue == Epilogue.Relu && s < 0) s = 0;
                c[i * ldc + j] = (float)s;
            }
    }
}
