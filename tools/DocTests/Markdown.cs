namespace DocTests;

/// <summary>Finds the ```csharp and ```bash blocks of a markdown file and the doctest comment right above each.</summary>
internal static class Markdown
{
    public static List<DocBlock> Blocks(string repo, string relativePath)
    {
        string full = Path.Combine(repo, relativePath);
        var lines = File.ReadAllLines(full);
        var blocks = new List<DocBlock>();
        for (int i = 0; i < lines.Length; i++)
        {
            string t = lines[i].TrimStart();
            if (!t.StartsWith("```", StringComparison.Ordinal)) continue;
            string lang = t[3..].Trim();
            int end = i + 1;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal)) end++;
            if (lang is "csharp" or "cs" or "bash" or "sh")
            {
                var directives = DirectivesAbove(lines, i, $"{relativePath}:{i + 1}");
                blocks.Add(new DocBlock
                {
                    File = relativePath, FullPath = full, Language = lang is "csharp" or "cs" ? "csharp" : "bash",
                    Line = i + 2, Code = lines[(i + 1)..Math.Min(end, lines.Length)].ToList(), Directives = directives,
                });
            }
            i = end;
        }
        return blocks;
    }

    /// <summary>The "&lt;!-- doctest ... --&gt;" comment whose last line is the line just above the fence, if any.</summary>
    private static Directives DirectivesAbove(string[] lines, int fence, string where)
    {
        int last = fence - 1;
        if (last < 0 || !lines[last].TrimEnd().EndsWith("-->", StringComparison.Ordinal)) return new Directives();
        int first = last;
        while (first >= 0 && !lines[first].TrimStart().StartsWith("<!--", StringComparison.Ordinal)) first--;
        if (first < 0) return new Directives();
        string open = lines[first].TrimStart()[4..].TrimStart();
        if (!open.StartsWith("doctest", StringComparison.Ordinal)) return new Directives();
        var body = new List<string>();
        for (int j = first; j <= last; j++)
        {
            string s = lines[j];
            if (j == first) s = open["doctest".Length..].TrimStart(':', ' ');
            if (j == last) s = s[..s.LastIndexOf("-->", StringComparison.Ordinal)];
            body.Add(s);
        }
        // "<!-- doctest: skip: reason -->" on one line: the text after "doctest:" is the first directive.
        return Directives.Parse(body, first + 1, where);
    }
}
