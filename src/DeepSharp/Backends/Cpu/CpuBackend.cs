namespace DeepSharp.Backends.Cpu;

/// <summary>
/// The CPU backend: hand-written SIMD kernels (a packed GEMM with a micro-kernel per vector width, Winograd, implicit
/// GEMM, sparse and fused backward passes) on a persistent thread pool. It makes every path choice itself, from the
/// layer's shapes and its <see cref="Options"/>. There is one per process: <see cref="Backend.Cpu"/>.
/// </summary>
public sealed partial class CpuBackend
{
    private CpuBackendOptions _options;

    internal CpuBackend(CpuBackendOptions options) => _options = options;

    /// <summary>The settings its kernels read at each call; replace them or change them in place.</summary>
    public CpuBackendOptions Options
    {
        get => _options;
        set => _options = value ?? throw new ArgumentNullException(nameof(value), "CpuBackend.Options cannot be null: pass new CpuBackendOptions() for this machine's defaults.");
    }

    /// <summary>The options in effect (what the kernels read; one field load per call).</summary>
    internal static CpuBackendOptions Settings => Backend.Cpu._options;
}
