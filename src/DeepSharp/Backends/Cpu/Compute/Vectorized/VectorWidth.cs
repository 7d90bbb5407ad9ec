namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The float vector width the CPU backend's kernels run at (bits; <see cref="Scalar"/>: the plain loops), set by
/// <see cref="Backends.Cpu.CpuBackendOptions.VectorWidth"/>.
/// </summary>
public enum VectorWidth
{
    /// <summary>No vectors: the plain reference loop.</summary>
    Scalar = 0,
    /// <summary>Vector128 (SSE, ARM64 NEON/AdvSimd).</summary>
    W128 = 128,
    /// <summary>Vector256 (AVX2).</summary>
    W256 = 256,
    /// <summary>Vector512 (AVX-512).</summary>
    W512 = 512,
}
