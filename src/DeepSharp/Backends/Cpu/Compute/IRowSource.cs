namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Rows of a GEMM's A operand produced on demand instead of read from memory (implicit GEMM): a convolution
/// hands the GEMM its im2col rows block by block, so the full column matrix is never written.
/// </summary>
internal unsafe interface IRowSource
{
    /// <summary>Writes rows [i0, i0 + rows), columns [p0, p0 + kc) of A to dst, row-major with row stride kc.</summary>
    void Rows(int i0, int rows, int p0, int kc, float* dst);
}
