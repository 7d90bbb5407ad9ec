namespace DeepSharp.Initializers;

/// <summary>Truncated-free normal with std sqrt(2 / fan_in).</summary>
public sealed class HeNormal : Initializer
{
    public override void Fill(Span<float> values, ReadOnlySpan<int> shape, System.Random random) =>
        Rng.Normal(random, values, 0f, MathF.Sqrt(2f / Fans(shape).FanIn));
}
