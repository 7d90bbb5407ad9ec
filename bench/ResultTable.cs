using System.Globalization;
using System.Text;

namespace DeepSharp.Bench;

/// <summary>
/// Collects rows and prints them as an aligned plain-text table (numbers right-aligned).
/// </summary>
/// <example>
/// <code>
/// var t = new ResultTable("shape", "GFLOP/s");
/// t.Add("512³", ResultTable.Num(61.2));
/// t.Print();
/// </code>
/// </example>
public sealed class ResultTable(params string[] headers)
{
    private readonly List<string[]> _rows = new();

    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
            throw new ArgumentException($"ResultTable: row has {cells.Length} cells, the table has {headers.Length} columns.");
        _rows.Add(cells);
    }

    public void Print(TextWriter? writer = null)
    {
        writer ??= Console.Out;
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        writer.WriteLine(Line(headers, widths, header: true));
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows) writer.WriteLine(Line(row, widths, header: false));
        writer.Flush();
    }

    private static string Line(string[] cells, int[] widths, bool header)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < cells.Length; i++)
        {
            if (i > 0) sb.Append("  ");
            bool right = !header && i > 0 && LooksNumeric(cells[i]);
            sb.Append(right ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
        }
        return sb.ToString().TrimEnd();
    }

    private static bool LooksNumeric(string s) => s.Length > 0 && (char.IsDigit(s[0]) || s[0] == '-' || s[0] == '.');

    /// <summary>A number with the given decimals, invariant culture.</summary>
    public static string Num(double x, int decimals = 1) => x.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>Seconds as "12.3 ms" / "4.56 s" / "789 µs".</summary>
    public static string Seconds(double s) =>
        s >= 1 ? $"{Num(s, 2)} s" : s >= 1e-3 ? $"{Num(s * 1e3, 2)} ms" : $"{Num(s * 1e6, 1)} µs";

    public static string Bytes(long b) =>
        Math.Abs(b) >= 1L << 30 ? $"{Num(b / (double)(1L << 30), 2)} GB" :
        Math.Abs(b) >= 1L << 20 ? $"{Num(b / (double)(1L << 20), 1)} MB" :
        Math.Abs(b) >= 1L << 10 ? $"{Num(b / 1024.0, 1)} kB" : $"{b} B";
}
