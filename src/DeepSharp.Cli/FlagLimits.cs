using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace DeepSharp.Cli;

/// <summary>
/// Checks for numbers that come from flags (issue 25), before anything is allocated: floats must be finite (NaN and
/// ±inf are refused for every float flag), and the size a set of flags asks for is computed in 64-bit arithmetic and
/// held against a limit, naming the flags and saying what would fit.
/// </summary>
internal static class FlagLimits
{
    /// <summary>The most float values one command allocates for one image, grid or batch (2^31 − 1: one .NET array).</summary>
    public const long MaxValues = int.MaxValue;

    /// <summary>Throws a <see cref="UsageException"/> naming <paramref name="flag"/> when <paramref name="value"/> is NaN or infinite.</summary>
    public static void RequireFinite(string flag, float? value, string hint = "")
    {
        if (value is { } v && !float.IsFinite(v))
            throw new UsageException(flag, $"must be a finite number, got {v}.{(hint.Length > 0 ? " " + hint : "")}");
    }

    /// <summary>
    /// Every float flag of the command line, whatever command adds it: a value that is NaN, ±inf, or beyond float's
    /// range (1e39 reads as infinity) is a usage error naming the flag. CliRunner calls it before any command runs.
    /// </summary>
    public static void RequireFiniteFlags(ParseResult parsed)
    {
        foreach (var child in parsed.CommandResult.Children)
        {
            if (child is not OptionResult { Option: var option } result) continue;
            var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
            if (type != typeof(float) && type != typeof(double)) continue;
            foreach (var token in result.Tokens)
                if (double.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) &&
                    (!double.IsFinite(v) || type == typeof(float) && !float.IsFinite((float)v)))
                    throw new UsageException(option.Name, $"must be a finite number, got {token.Value}.");
        }
    }

    /// <summary>
    /// Throws unless <paramref name="factors"/> multiplied (in checked 64-bit arithmetic, each factor ≥ 0) is at most
    /// <paramref name="limit"/>; the message names <paramref name="what"/>, the flags involved and the product.
    /// </summary>
    public static long RequireProduct(string flags, string what, long limit, params long[] factors)
    {
        long product = 1;
        foreach (long f in factors)
        {
            if (f < 0) throw new UsageException(flags, $"{what} has a negative size ({f}).");
            if (f != 0 && product > limit / f)
                throw new UsageException(flags, $"{what} would need more than {limit:N0} values ({string.Join(" × ", factors.Select(x => x.ToString("N0")))}); make it smaller.");
            product *= f;
        }
        if (product > limit)
            throw new UsageException(flags, $"{what} would need {product:N0} values, more than {limit:N0}; make it smaller.");
        return product;
    }

    /// <summary>
    /// Throws when running a batch of <paramref name="batch"/> samples through <paramref name="model"/> would hold more
    /// activation memory (every layer keeps its output, <paramref name="copies"/> values per output value: 1 to predict,
    /// about 3 to train) than three quarters of this machine's memory: a 30,000-layer file would otherwise run for minutes
    /// and end killed. The message names <paramref name="flag"/> and what would fit.
    /// </summary>
    public static void RequireActivationMemory(string flag, Models.Model model, long batch, string what, int copies = 1)
    {
        long perSample = 0;
        int layers = 0;
        var pending = new Stack<Models.Model>();
        pending.Push(model);
        while (pending.Count > 0)
            foreach (var node in pending.Pop().Nodes)
            {
                layers++;
                perSample = SaturatingAdd(perSample, node.Shape.Aggregate(1L, (a, d) => SaturatingMultiply(a, d)));
                if (node.Layer is Models.Model inner) pending.Push(inner);
            }
        long bytes = SaturatingMultiply(SaturatingMultiply(perSample, batch), 4L * copies);
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 * 3;
        if (bytes > limit)
        {
            long fits = Math.Max(0, limit / Math.Max(1, SaturatingMultiply(perSample, 4L * copies)));
            throw new UsageException(flag, $"{what}: a batch of {batch:N0} through its {layers:N0} layers holds {bytes / (1 << 20):N0} MiB of activations, " +
                $"more than 3/4 of this machine's {limit / 3 * 4 / (1 << 20):N0} MiB. " + (fits >= 1 ? $"Use {flag} {fits:N0} or less." : "The model is too large for this machine."));
        }
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static long SaturatingMultiply(long a, long b) => b != 0 && a > long.MaxValue / b ? long.MaxValue : a * b;
}
