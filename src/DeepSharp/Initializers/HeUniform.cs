namespace DeepSharp.Initializers;

/// <summary>Uniform in ±sqrt(6 / fan_in).</summary>
public sealed class HeUniform : Initializer
{
    public override void Fill(Span<float> values, ReadOnlySpan<int> shape, System.Random random)
    {
        float limit = MathF.Sqrt(6f / Fans(shape).FanIn);
        Rng.Uniform(random, values, -limit, limit);
    }
}
