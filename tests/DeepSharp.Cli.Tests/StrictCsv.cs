using System.Text;

namespace DeepSharp.Cli.Tests;

/// <summary>
/// A strict RFC 4180 reader for the tests, written apart from the CsvWriter it checks: a quote inside an unquoted field,
/// anything but a separator or a line end after a closing quote, an unterminated quote, a bare CR, or rows of different
/// lengths are errors, not guesses.
/// </summary>
internal static class StrictCsv
{
    public static List<string[]> Read(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length) throw new FormatException($"unterminated quoted field in row {rows.Count + 1}");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    field.Append(text[i++]);
                }
                if (i < text.Length && text[i] != ',' && text[i] != '\r')
                    throw new FormatException($"'{text[i]}' after a closing quote in row {rows.Count + 1}");
            }
            else
            {
                while (i < text.Length && text[i] != ',' && text[i] != '\r')
                {
                    if (text[i] is '"' or '\n') throw new FormatException($"a bare {(text[i] == '"' ? "quote" : "LF")} in an unquoted field in row {rows.Count + 1}");
                    field.Append(text[i++]);
                }
            }
            row.Add(field.ToString());
            field.Clear();
            if (i < text.Length && text[i] == ',') { i++; continue; }
            if (i < text.Length)
            {
                if (i + 1 >= text.Length || text[i + 1] != '\n') throw new FormatException($"a CR not followed by LF in row {rows.Count + 1}");
                i += 2;
            }
            rows.Add(row.ToArray());
            row.Clear();
        }
        if (rows.Count > 0 && rows.Any(r => r.Length != rows[0].Length))
            throw new FormatException($"rows have {string.Join("/", rows.Select(r => r.Length).Distinct())} fields; the header has {rows[0].Length}");
        return rows;
    }
}
