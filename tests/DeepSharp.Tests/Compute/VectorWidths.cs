using DeepSharp.Compute;

namespace DeepSharp.Tests.Compute;

/// <summary>
/// The widths a width-generic kernel is tested at: every one, whether or not this CPU accelerates it (a width the
/// JIT does not accelerate runs as software vectors: slower, same results), so each kernel's logic is checked at
/// 4, 8 and 16 lanes on any machine, and in hardware at every width the CPU has.
/// </summary>
internal static class VectorWidths
{
    public static readonly VectorWidth[] Vector = [VectorWidth.W128, VectorWidth.W256, VectorWidth.W512];

    public static readonly VectorWidth[] All = [VectorWidth.Scalar, .. Vector];
}
