namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The path choices of <see cref="CpuBackendOptions"/> that depend on the vector width, one row per width, each chosen
/// by measurement at that width: <c>bench -- ab --switch NAME</c> (on and off alternated round by round in one process;
/// the figures are the median on/off step-time ratio, below 1: on is faster). docs/ARCHITECTURE.md ("Paths per vector
/// width") has the table. Every path runs at every width (the kernels are written once over <see cref="ISimd{TVec}"/>,
/// and each GEMM micro-kernel reads A's rows in place); only whether it pays differs.
/// </summary>
internal readonly record struct WidthDefaults(
    int WinogradMinChannels, bool WinogradKernelGradient, int WinogradThreadChunkFloats, double SparseBackwardMaxDensity,
    bool ImplicitInputGradient)
{
    /// <summary>
    /// AVX2 (the 2-core AVX2 VM): Winograd from 32 channels (cats-vs-dogs conv2d_1 forward 44-48 ms against 66 direct),
    /// Winograd kernel gradient (cats-vs-dogs 0.90), per-thread chunks of 64K floats (MNIST 0.96-0.97, cats-vs-dogs 0.98),
    /// sparse backward up to 30 % nonzeros (MNIST 0.71, cats-vs-dogs 0.56), implicit input gradient (cats-vs-dogs
    /// conv2d_1 56-64 ms against 96-106).
    /// </summary>
    private static readonly WidthDefaults Avx2 = new(32, true, 1 << 16, CpuBackendOptions.DefaultSparseBackwardMaxDensity, true);

    /// <summary>
    /// AVX-512 (2-core AMD EPYC with Zen 5 flags, 2026-12-08, shared and loaded: <c>--threads 1 --cpu-time</c> unless
    /// noted; 8 rounds): sparse backward MNIST 0.88, cats-vs-dogs 0.69; implicit input gradient (with the new
    /// <c>Kernel512.RunStrided</c>) cats-vs-dogs 0.91, MNIST 0.94; Winograd kernel gradient cats-vs-dogs 1.00 on one
    /// thread, 0.93 on 2 (on: no loss, fewer multiplies); per-thread chunks on 2 threads cats-vs-dogs 1.22, then 1.07 over
    /// 16 rounds (off; MNIST has no Winograd layer at this width, so its 0.92 for the same switch is the noise of a 2-thread
    /// wall-time ratio on the loaded machine); Winograd from 32 channels MNIST 1.07, cats-vs-dogs 1.00 (so from 64);
    /// pooled first-layer kernel gradient MNIST 0.91.
    /// </summary>
    private static readonly WidthDefaults Avx512 = new(64, true, 0, CpuBackendOptions.DefaultSparseBackwardMaxDensity, true);

    /// <summary>
    /// 128-bit vectors (<c>DOTNET_EnableAVX2=0</c> on the EPYC; ARM64 NEON): sparse backward MNIST 0.61, cats-vs-dogs 0.46
    /// (AVX2 VM); Winograd from 32 channels MNIST 0.92, cats-vs-dogs 0.88 (on; from 64 before); implicit input gradient
    /// cats-vs-dogs 1.02, MNIST 1.00 (off); Winograd kernel gradient cats-vs-dogs 1.02 (off); per-thread chunks off (not
    /// measured: 2-thread wall-time ratios were noise on the loaded machine).
    /// </summary>
    private static readonly WidthDefaults Neon = new(32, false, 0, CpuBackendOptions.DefaultSparseBackwardMaxDensity, false);

    /// <summary>No SIMD: Winograd and the sparse pass need vectors; the plain loops.</summary>
    private static readonly WidthDefaults Scalar = new(64, false, 0, 0, false);

    public static WidthDefaults For(VectorWidth width) => width switch
    {
        VectorWidth.W512 => Avx512,
        VectorWidth.W256 => Avx2,
        VectorWidth.W128 => Neon,
        _ => Scalar,
    };
}
