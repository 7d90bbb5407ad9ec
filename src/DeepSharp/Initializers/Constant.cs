namespace DeepSharp.Initializers;

/// <summary>Every value the same ("zeros", "ones").</summary>
public sealed class Constant(double value) : Initializer
{
    public float Value { get; } = (float)value;

    /// <summary>"Zeros" and "Ones" for 0 and 1, as Keras writes them; "Constant" otherwise.</summary>
    public override string ClassName => Value == 0f ? "Zeros" : Value == 1f ? "Ones" : "Constant";

    public override Dictionary<string, object?> GetConfig() => Value is 0f or 1f ? new() : new() { ["value"] = Value };
    public override void Fill(Span<float> values, ReadOnlySpan<int> shape, System.Random random) => values.Fill(Value);
}
