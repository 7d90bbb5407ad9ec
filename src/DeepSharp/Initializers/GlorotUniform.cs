namespace DeepSharp.Initializers;

/// <summary>Uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras' default kernel initializer).</summary>
public sealed class GlorotUniform : Initializer
{
    public override void Fill(Span<float> values, ReadOnlySpan<int> shape, System.Random random)
    {
        var (fanIn, fanOut) = Fans(shape);
        float limit = MathF.Sqrt(6f / (fanIn + fanOut));
        Rng.Uniform(random, values, -limit, limit);
    }
}
