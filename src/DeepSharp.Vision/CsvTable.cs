using System.Text;

namespace DeepSharp.Vision;

/// <summary>A minimal RFC 4180 reader: a header row, comma-separated fields, double-quoted fields with "" escapes.</summary>
internal static class CsvTable
{
    /// <summary>The values of column <paramref name="xCol"/> and (when not null) <paramref name="yCol"/>, row by row.</summary>
    public static (string[] X, string[]? Y) ReadColumns(string path, string xCol, string? yCol)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);
        var rows = Parse(File.ReadAllText(path)).Where(r => !(r.Count == 1 && r[0].Length == 0)).ToList();
        if (rows.Count == 0) throw new FormatException($"CSV file '{path}' is empty: expected a header row naming the columns, e.g. filename,class.");
        var header = rows[0];
        int Column(string name) => header.IndexOf(name) is var i and >= 0 ? i
            : throw new ArgumentException($"CSV file '{path}' has no column '{name}'. Its columns are: {string.Join(", ", header)}. Pass xCol/yCol.");
        int xi = Column(xCol), yi = yCol is null ? -1 : Column(yCol);
        var x = new string[rows.Count - 1];
        var y = yCol is null ? null : new string[rows.Count - 1];
        for (int r = 1; r < rows.Count; r++)
        {
            if (rows[r].Count <= Math.Max(xi, yi))
                throw new FormatException($"CSV file '{path}' row {r + 1} has {rows[r].Count} fields but the header has {header.Count}.");
            x[r - 1] = rows[r][xi];
            if (y is not null) y[r - 1] = rows[r][yi];
        }
        return (x, y);
    }

    private static IEnumerable<List<string>> Parse(string text)
    {
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (ch == '\r') { }
            else if (ch == '\n') { row.Add(field.ToString()); field.Clear(); yield return row; row = new List<string>(); }
            else field.Append(ch);
        }
        if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); yield return row; }
    }
}
