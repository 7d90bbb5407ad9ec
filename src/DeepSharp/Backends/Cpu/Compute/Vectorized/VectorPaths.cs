using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Which vector widths this process runs in hardware, and the one the kernels use by default: the widest accelerated.
/// The runtime knobs narrow it: DOTNET_EnableAVX512F=0 (no Vector512), DOTNET_EnableAVX2=0 (Vector128 only),
/// DOTNET_EnableHWIntrinsic=0 (no SIMD at all: the scalar loops).
/// </summary>
/// <example><code>Console.WriteLine(VectorPaths.Describe());   // "X64, Vector512 off, Vector256 on, Vector128 on: W256 kernels, GEMM Avx2"</code></example>
internal static class VectorPaths
{
    /// <summary>
    /// The width the kernels run at by default: <see cref="Backends.Cpu.CpuBackendOptions.VectorWidth"/>, which is
    /// <see cref="Hardware"/> unless narrowed.
    /// </summary>
    public static VectorWidth Best => Backends.Cpu.CpuBackend.Settings.VectorWidth;

    /// <summary>The widest width the JIT accelerates here (<see cref="VectorWidth.Scalar"/> when none is).</summary>
    public static readonly VectorWidth Hardware =
        Vector512.IsHardwareAccelerated ? VectorWidth.W512
        : Vector256.IsHardwareAccelerated ? VectorWidth.W256
        : Vector128.IsHardwareAccelerated ? VectorWidth.W128
        : VectorWidth.Scalar;

    /// <summary>True when <paramref name="width"/> runs in hardware here (Scalar always does).</summary>
    public static bool IsAccelerated(VectorWidth width) => width switch
    {
        VectorWidth.W512 => Vector512.IsHardwareAccelerated,
        VectorWidth.W256 => Vector256.IsHardwareAccelerated,
        VectorWidth.W128 => Vector128.IsHardwareAccelerated,
        _ => true,
    };

    /// <summary>Floats per vector at <paramref name="width"/> (1 for Scalar).</summary>
    public static int Lanes(VectorWidth width) => width == VectorWidth.Scalar ? 1 : (int)width / 32;

    /// <summary>
    /// The widest accelerated width no wider than <paramref name="limit"/> whose lane count divides
    /// <paramref name="multipleOf"/> (Scalar when none does).
    /// </summary>
    public static VectorWidth WidestDividing(int multipleOf, VectorWidth limit)
    {
        foreach (var w in (ReadOnlySpan<VectorWidth>)[VectorWidth.W512, VectorWidth.W256, VectorWidth.W128])
            if (w <= limit && IsAccelerated(w) && multipleOf % Lanes(w) == 0) return w;
        return VectorWidth.Scalar;
    }

    /// <summary>One line for logs and benchmark headers: architecture, which vector widths are on, which kernels run.</summary>
    public static string Describe() =>
        $"{RuntimeInformation.ProcessArchitecture}, Vector512 {OnOff(Vector512.IsHardwareAccelerated)}, "
        + $"Vector256 {OnOff(Vector256.IsHardwareAccelerated)}, Vector128 {OnOff(Vector128.IsHardwareAccelerated)}: "
        + $"{Best} kernels, GEMM {GemmKernels.BestPath}";

    private static string OnOff(bool on) => on ? "on" : "off";
}
