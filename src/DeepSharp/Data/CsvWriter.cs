using System.Globalization;
using System.Text;

namespace DeepSharp.Data;

/// <summary>
/// The one CSV writer of the library and the command line (predictions, training logs): fields are quoted as RFC 4180
/// says (a field holding the separator, a double quote, CR or LF is enclosed in double quotes, its quotes doubled), and
/// text that a spreadsheet would run as a formula is neutralised as OWASP's "CSV injection" page advises: a text field
/// starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return gets a leading apostrophe, so a file
/// named <c>=HYPERLINK(...)</c>.jpg shows as text. Numbers are written as numbers (a negative number keeps its sign).
/// Rows end with CRLF, as RFC 4180 writes them.
/// </summary>
internal sealed class CsvWriter(string separator = ",", string lineEnd = "\r\n")
{
    private readonly StringBuilder _text = new();

    /// <summary>The file so far.</summary>
    public override string ToString() => _text.ToString();

    /// <summary>Appends a row of text fields (each neutralised and quoted as needed).</summary>
    public CsvWriter TextRow(IEnumerable<string> fields) => Row(fields.Select(f => Field(f, separator)));

    /// <summary>Appends a row of fields already made by <see cref="Field"/> or <see cref="Number(double)"/>.</summary>
    public CsvWriter Row(IEnumerable<string> encodedFields)
    {
        _text.AppendJoin(separator, encodedFields).Append(lineEnd);
        return this;
    }

    /// <summary>A text field: neutralised when a spreadsheet would read it as a formula, quoted when it must be.</summary>
    public static string Field(string text, string separator = ",")
    {
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r') text = "'" + text;
        bool quote = text.Contains(separator, StringComparison.Ordinal) || text.AsSpan().IndexOfAny('"', '\r', '\n') >= 0;
        return quote ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }

    /// <summary>A number, invariant culture, shortest round-trip form (NaN, Infinity and -Infinity as .NET writes them).</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A float with <paramref name="format"/> (e.g. "G6"), invariant culture.</summary>
    public static string Number(float value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
