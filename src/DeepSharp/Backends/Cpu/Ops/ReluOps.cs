namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Keras' general ReLU: y = maxValue for x ≥ maxValue; x for threshold ≤ x &lt; maxValue;
/// negativeSlope·(x - threshold) below. dx = dy · (0, 1 or negativeSlope) on the same pieces.
/// LeakyReLU is the case maxValue = ∞, threshold = 0.
/// </summary>
internal static class ReluOps
{
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, float maxValue, float negativeSlope, float threshold)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = v >= maxValue ? maxValue : v >= threshold ? v : negativeSlope * (v - threshold);
        }
    }

    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, float maxValue, float negativeSlope, float threshold)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            dx[i] = v >= maxValue ? 0f : v >= threshold ? dy[i] : negativeSlope * dy[i];
        }
    }
}
