using System.Globalization;
using System.Text.RegularExpressions;

namespace DocTests;

/// <summary>
/// "expect: LABEL LO..HI": the last number printed right after LABEL must lie in [LO, HI] (thousands separators
/// ignored); "expect: LABEL" alone: LABEL must be printed.
/// </summary>
internal sealed partial class Expectation
{
    public required string Label { get; init; }
    public double? Low { get; init; }
    public double? High { get; init; }

    [GeneratedRegex(@"^(?<label>.*?)\s+(?<lo>-?[\d,]*\.?\d+)\.\.(?<hi>-?[\d,]*\.?\d+)$")]
    private static partial Regex RangeForm();

    public static Expectation Parse(string text, string where)
    {
        if (text.Length == 0) throw new FormatException($"{where}: 'expect:' needs the text to look for, e.g. 'expect: val accuracy: 0.7..0.95'.");
        var m = RangeForm().Match(text);
        if (!m.Success) return new Expectation { Label = text };
        double lo = Number(m.Groups["lo"].Value), hi = Number(m.Groups["hi"].Value);
        if (lo > hi) throw new FormatException($"{where}: 'expect: {text}': the range's low end is above its high end.");
        return new Expectation { Label = m.Groups["label"].Value, Low = lo, High = hi };
    }

    private static double Number(string s) => double.Parse(s.Replace(",", ""), CultureInfo.InvariantCulture);

    /// <summary>Null when the output meets the expectation, else what is wrong.</summary>
    public string? Check(string output)
    {
        int at = output.LastIndexOf(Label, StringComparison.Ordinal);
        if (at < 0) return $"expected the output to print '{Label}', it does not";
        if (Low is null) return null;
        var m = Regex.Match(output[(at + Label.Length)..], @"^[\s=:]*(-?[\d,]*\.?\d+(?:[eE][-+]?\d+)?)");
        if (!m.Success) return $"expected a number after the last '{Label}'";
        double v = Number(m.Groups[1].Value);
        return v >= Low && v <= High ? null
            : $"'{Label}' printed {m.Groups[1].Value}, outside the range the text states ({Low.Value.ToString(CultureInfo.InvariantCulture)}..{High!.Value.ToString(CultureInfo.InvariantCulture)})";
    }

    public override string ToString() => Low is null ? Label : $"{Label} {Low}..{High}";
}
