namespace DeepSharp.Backends.Cpu;

/// <summary>
/// A GEMM micro-kernel: multiplies one packed MR×kc panel of A by one packed kc×NR panel of B,
/// keeping the MR×NR result in registers, and stores it with the epilogue fused.
/// Implemented by structs so that the blocked driver is compiled once per kernel (no virtual calls).
/// </summary>
internal unsafe interface IMicroKernel
{
    /// <summary>Rows of C per call.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of C per call.</summary>
    static abstract int NR { get; }

    /// <summary>Rows of A packed per block (a multiple of MR, sized for the L2 cache).</summary>
    static abstract int MC { get; }

    /// <summary>Depth of one packed block (sized so a kc×NR panel of B stays in L1).</summary>
    static abstract int KC { get; }

    /// <summary>
    /// C[0..MR, 0..NR] = (load ? C : 0) + Σp a[p*MR + i]·b[p*ldb + j] (+ bias[j]) then max(0, ·) when relu.
    /// ldb is NR for a packed panel of B, or B's own row stride when B is read in place.
    /// </summary>
    static abstract void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool load, float* bias, bool relu);

    /// <summary>
    /// True when <see cref="RunStrided"/> exists: the driver then reads A where it is instead of packing it, which pays
    /// when C is narrow (a convolution's 32 to 128 filters: each packed float of A would be used for only n multiply-adds).
    /// </summary>
    static virtual bool ReadsRows => false;

    /// <summary>
    /// As <see cref="Run"/>, with A read unpacked: A(i, p) = a[i·rowStride + p·depthStride] for the MR rows
    /// (rowStride = lda, depthStride = 1 for A's rows in place; rowStride = 1, depthStride = ld for a transposed block).
    /// </summary>
    static virtual void RunStrided(int kc, float* a, nint rowStride, nint depthStride, float* b, nint ldb, float* c, nint ldc,
        bool load, float* bias, bool relu) =>
        throw new NotSupportedException("This micro-kernel reads packed panels of A only.");
}
