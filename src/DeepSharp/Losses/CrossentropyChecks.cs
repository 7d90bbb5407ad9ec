namespace DeepSharp.Losses;

/// <summary>Argument checks shared by the crossentropy losses.</summary>
internal static class CrossentropyChecks
{
    /// <summary>label_smoothing must lie in [0, 1].</summary>
    public static float Smoothing(double value, string loss) => value is >= 0 and <= 1
        ? (float)value
        : throw new ArgumentOutOfRangeException("labelSmoothing", value, $"{loss}: labelSmoothing must be in [0, 1] (0: none), got {value}.");
}
