namespace DocTests;

/// <summary>One fenced ```csharp or ```bash block of a markdown file, with the doctest comment just before it.</summary>
internal sealed class DocBlock
{
    public required string File { get; init; }          // path relative to the repository root, e.g. docs/USER-GUIDE.md
    public required string FullPath { get; init; }
    public required string Language { get; init; }      // "csharp" or "bash"
    public required int Line { get; init; }             // 1-based line of the block's first code line
    public required List<string> Code { get; init; }
    public Directives Directives { get; init; } = new();
    public int Id { get; set; }

    public string Where => $"{File}:{Line - 1}";
}

/// <summary>
/// What a doctest comment says about the block that follows it. The comment renders as nothing on GitHub:
/// <code>
/// &lt;!-- doctest
/// prelude:
///   var x = ...;              (hidden code run before the block: C# usings are hoisted to the top)
/// replace: epochs: 30 => epochs: 1    (small sizes: a text substitution in the block)
/// expect: val accuracy: 0.7..0.95    (the last figure printed after that text must be in the range)
/// file: examples/CustomLayer/ScaleShift.cs     (a C# source file compiled with the blocks)
/// skip: downloads VGG16's weights (58.9 MB)    (compiled but not run; the reason is printed)
/// omit: bash tools/test.sh => it runs these doc tests   (shell: the lines holding the text are not run, counted as skipped)
/// timeout: 300
/// --&gt;
/// </code>
/// </summary>
internal sealed class Directives
{
    public List<string> Prelude { get; } = [];
    public int PreludeLine { get; set; }
    public List<(string From, string To)> Replacements { get; } = [];
    public List<(string Text, string Reason)> Omissions { get; } = [];
    public List<Expectation> Expectations { get; } = [];
    public List<string> Files { get; } = [];
    public string? Skip { get; set; }
    public int TimeoutSeconds { get; set; } = 300;

    private static readonly string[] Keys = ["prelude", "replace", "omit", "expect", "file", "skip", "timeout"];

    /// <summary>Parses the comment's lines (without "&lt;!-- doctest" and "--&gt;"); <paramref name="firstLine"/> is the line number of lines[0].</summary>
    public static Directives Parse(IReadOnlyList<string> lines, int firstLine, string where)
    {
        var d = new Directives();
        string? key = null;
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i];
            string trimmed = line.Trim();
            int colon = trimmed.IndexOf(':');
            string head = colon > 0 ? trimmed[..colon].Trim() : "";
            if (Keys.Contains(head))
            {
                key = head;
                string value = trimmed[(colon + 1)..].Trim();
                switch (key)
                {
                    case "prelude":
                        d.PreludeLine = firstLine + i + 1;
                        if (value.Length > 0) throw new FormatException($"{where}: write the prelude's code on the lines after 'prelude:'.");
                        break;
                    case "replace":
                        int arrow = value.IndexOf(" => ", StringComparison.Ordinal);
                        if (arrow < 0) throw new FormatException($"{where}: 'replace: {value}' needs 'FROM => TO'.");
                        d.Replacements.Add((value[..arrow], value[(arrow + 4)..]));
                        break;
                    case "omit":
                        int because = value.IndexOf(" => ", StringComparison.Ordinal);
                        if (because < 0) throw new FormatException($"{where}: 'omit: {value}' needs 'TEXT => the reason it cannot run here'.");
                        d.Omissions.Add((value[..because], value[(because + 4)..]));
                        break;
                    case "expect": d.Expectations.Add(Expectation.Parse(value, where)); break;
                    case "file": d.Files.Add(value); break;
                    case "skip":
                        if (value.Length == 0) throw new FormatException($"{where}: 'skip:' needs the reason the block cannot run in CI.");
                        d.Skip = value;
                        break;
                    case "timeout": d.TimeoutSeconds = int.Parse(value); break;
                }
            }
            else if (key == "prelude") d.Prelude.Add(line);
            else if (trimmed.Length > 0)
                throw new FormatException($"{where}: doctest comment line '{trimmed}' starts with none of {string.Join(", ", Keys.Select(k => k + ":"))}.");
        }
        return d;
    }
}
