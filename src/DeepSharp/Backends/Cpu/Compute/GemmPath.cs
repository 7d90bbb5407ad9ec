namespace DeepSharp.Backends.Cpu;

/// <summary>Which micro-kernel the GEMM uses. Picked once from the hardware; tests force each one.</summary>
internal enum GemmPath
{
    /// <summary>Vector&lt;float&gt; code that runs anywhere.</summary>
    Portable,
    /// <summary>Vector128 (ARM64 AdvSimd with fused multiply-add; SSE on x64 without AVX2).</summary>
    Vector128,
    /// <summary>Vector256 with fused multiply-add (AVX2 + FMA).</summary>
    Avx2,
    /// <summary>Vector512 (AVX-512F).</summary>
    Avx512,
}
