namespace DeepSharp.Vision;

/// <summary>
/// Keras' <c>width_shift_range</c> / <c>height_shift_range</c>, in its three forms:
/// <list type="bullet">
/// <item>a float s: the shift is drawn uniformly from (-s, s); a fraction of the side when s &lt; 1, pixels otherwise;</item>
/// <item>an int n: an integer drawn from [0, n) with a random sign, so from (-n, n) (pixels; n = 1 gives 0 only, as in Keras);</item>
/// <item>a list of values: one of them with a random sign (fractions of the side when every value is below 1).</item>
/// </list>
/// </summary>
/// <example><code>
/// new ImageDataGenerator(widthShiftRange: 0.2);                 // uniform in ±20 % of the width
/// new ImageDataGenerator(widthShiftRange: 4);                    // -3..3 pixels
/// new ImageDataGenerator(widthShiftRange: new[] { 0f, 8f });     // 0, -8 or +8 pixels
/// </code></example>
public readonly record struct ShiftRange
{
    private readonly float[]? _choices;

    /// <summary>The float form (0 when this is an int or list form).</summary>
    public float Range { get; }
    /// <summary>The int form (null when this is not an int form).</summary>
    public int? Count { get; }
    /// <summary>The list form (null when this is not a list).</summary>
    public IReadOnlyList<float>? Choices => _choices;

    private ShiftRange(float range, int? count, float[]? choices)
    {
        if (float.IsNaN(range) || range < 0)
            throw new ArgumentException($"A shift range of {range} is invalid: it must be 0 or more (0 turns shifting off).");
        if (count is < 0)
            throw new ArgumentException($"An integer shift range of {count} is invalid: it must be 0 or more.");
        if (choices is { Length: 0 })
            throw new ArgumentException("A list-valued shift range is empty. Give at least one value, e.g. new[] { 0f, 8f }.");
        Range = range;
        Count = count;
        _choices = choices;
    }

    public static implicit operator ShiftRange(double range) => new((float)range, null, null);
    public static implicit operator ShiftRange(int count) => new(0, count, null);
    public static implicit operator ShiftRange(float[] choices) => new(0, null, (float[])choices.Clone());
    public static implicit operator ShiftRange(double[] choices) => new(0, null, choices.Select(v => (float)v).ToArray());
    public static implicit operator ShiftRange(int[] choices) => new(0, null, choices.Select(v => (float)v).ToArray());

    /// <summary>True when no shift is drawn (Keras: the range is falsy).</summary>
    public bool IsOff => _choices is null && (Count ?? 0) == 0 && Range == 0;

    /// <summary>Draws one shift in pixels for a side of <paramref name="size"/> pixels (Keras' get_random_transform).</summary>
    public double Draw(Random random, int size)
    {
        if (IsOff) return 0;
        double v;
        double max;
        if (_choices is not null || Count is not null)
        {
            v = _choices is not null ? _choices[random.Next(_choices.Length)] : random.Next(Count!.Value);
            if (random.Next(2) == 0) v = -v;
            max = _choices is not null ? _choices.Max() : Count!.Value;
        }
        else
        {
            v = -Range + 2.0 * Range * random.NextDouble();
            max = Range;
        }
        return max < 1 ? v * size : v;
    }

    public override string ToString() =>
        _choices is not null ? "[" + string.Join(", ", _choices) + "]" : Count is { } n ? n.ToString() : Range.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
