using DeepSharp.Backends.Cpu;

namespace DeepSharp.Tests.Compute;

/// <summary>
/// The widths a width-generic kernel is tested at: every one, whether or not this CPU accelerates it (a width the
/// JIT does not accelerate runs as software vectors: slower, same results), so each kernel's logic is checked at
/// 4, 8 and 16 lanes on any machine, and in hardware at every width the CPU has. DEEPSHARP_TEST_EMULATED_WIDTHS=0
/// keeps only the accelerated widths (and 128 bits): the ARM64 run under QEMU, where software vectors are very slow.
/// </summary>
internal static class VectorWidths
{
    private static readonly bool Emulated = Environment.GetEnvironmentVariable("DEEPSHARP_TEST_EMULATED_WIDTHS") != "0";

    public static readonly VectorWidth[] Vector =
        [.. new[] { VectorWidth.W128, VectorWidth.W256, VectorWidth.W512 }
            .Where(w => w == VectorWidth.W128 || Emulated || VectorPaths.IsAccelerated(w))];

    public static readonly VectorWidth[] All = [VectorWidth.Scalar, .. Vector];
}
