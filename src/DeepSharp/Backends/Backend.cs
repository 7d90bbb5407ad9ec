using DeepSharp.Backends.Cpu;

namespace DeepSharp.Backends;

/// <summary>The backends this process computes on.</summary>
public static class Backend
{
    /// <summary>
    /// The CPU backend, with <see cref="CpuBackendOptions.FromEnvironment"/> as its options (this machine's defaults,
    /// overridden by any <c>DEEPSHARP_*</c> variables).
    /// </summary>
    public static CpuBackend Cpu { get; } = new(CpuBackendOptions.FromEnvironment());

    /// <summary>
    /// The backend layers, losses and optimizers call (the CPU backend; the parity tests swap in the reference backend
    /// for a whole model).
    /// </summary>
    internal static IBackend Current { get; set; } = Cpu;
}
