namespace DeepSharp.Initializers;

/// <summary>Every value the same ("zeros", "ones").</summary>
public sealed class Constant(float value) : Initializer
{
    public float Value { get; } = value;
    public override void Fill(Span<float> values, ReadOnlySpan<int> shape, System.Random random) => values.Fill(Value);
}
