namespace DeepSharp.Cli;

/// <summary>A flag has a value that cannot work (e.g. <c>--epochs 0</c>); the CLI exits with code 2.</summary>
internal sealed class UsageException(string flag, string message) : ArgumentException($"{flag}: {message}")
{
    /// <summary>The flag, e.g. "--epochs".</summary>
    public string Flag { get; } = flag;

    /// <summary>Throws unless <paramref name="value"/> is within [min, max].</summary>
    public static void RequireRange(string flag, long value, long min, long max, string hint = "")
    {
        if (value < min || value > max)
            throw new UsageException(flag, max == long.MaxValue || max == int.MaxValue
                ? $"must be at least {min}, got {value}.{(hint.Length > 0 ? " " + hint : "")}"
                : $"must be between {min} and {max}, got {value}.{(hint.Length > 0 ? " " + hint : "")}");
    }
}
