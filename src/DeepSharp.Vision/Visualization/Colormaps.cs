namespace DeepSharp.Vision;

/// <summary>Matplotlib's jet and viridis colormaps: a value in [0, 1] to RGB bytes.</summary>
internal static class Colormaps
{
    /// <summary>Jet (blue → cyan → yellow → red), as the piecewise-linear ramps matplotlib's "jet" is made of.</summary>
    public static (byte R, byte G, byte B) Jet(float v)
    {
        v = Math.Clamp(v, 0f, 1f);
        static byte Ramp(float t) => (byte)(int)(Math.Clamp(1.5f - Math.Abs(t), 0f, 1f) * 255f + 0.5f);
        return (Ramp(4f * v - 3f), Ramp(4f * v - 2f), Ramp(4f * v - 1f));
    }

    // matplotlib viridis sampled at 0, 1/8, ..., 1.
    private static readonly byte[,] ViridisAnchors =
    {
        { 68, 1, 84 }, { 71, 44, 122 }, { 59, 81, 139 }, { 44, 113, 142 }, { 33, 144, 141 },
        { 39, 173, 129 }, { 92, 200, 99 }, { 170, 220, 50 }, { 253, 231, 37 },
    };

    /// <summary>Viridis (dark purple → green → yellow), interpolated between nine samples of matplotlib's table.</summary>
    public static (byte R, byte G, byte B) Viridis(float v)
    {
        v = Math.Clamp(v, 0f, 1f) * 8f;
        int i = Math.Min((int)v, 7);
        float t = v - i;
        byte Mix(int k) => (byte)(int)(ViridisAnchors[i, k] + (ViridisAnchors[i + 1, k] - ViridisAnchors[i, k]) * t + 0.5f);
        return (Mix(0), Mix(1), Mix(2));
    }
}
