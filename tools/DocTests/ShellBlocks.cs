using System.Text;
using System.Text.RegularExpressions;

namespace DocTests;

/// <summary>
/// Runs a ```bash block with <c>bash -eo pipefail</c> in an empty folder that links to the repository's top-level
/// folders and files (relative paths such as docs/... work; what the block writes stays out of the checkout). <c>./deepsharp ARGS</c> and
/// <c>dotnet run -c Release --project src/DeepSharp.Cli -- ARGS</c> run the already built command line
/// (no rebuild per command); <c>python3</c> is one that has Pillow when the first on PATH has not.
/// </summary>
internal static partial class ShellBlocks
{
    [GeneratedRegex(@"(^|(?<=[\s;&|(]))(\./deepsharp|dotnet run -c Release --project src/DeepSharp\.Cli --)(?=\s|$)")]
    private static partial Regex DeepSharpCommand();

    public static string Script(DocBlock b, string cliDll)
    {
        var s = new StringBuilder();
        s.AppendLine("set -eo pipefail");
        s.AppendLine($"deepsharp() {{ dotnet '{cliDll}' \"$@\"; }}");
        s.AppendLine("if ! python3 -c 'import PIL' 2>/dev/null && /usr/bin/python3 -c 'import PIL' 2>/dev/null; then python3() { /usr/bin/python3 \"$@\"; }; fi");
        foreach (var line in b.Directives.Prelude) s.AppendLine(line);
        foreach (var raw in b.Code)
        {
            string line = raw;
            if (b.Directives.Omissions.Any(o => line.Contains(o.Text, StringComparison.Ordinal))) { s.AppendLine(": omitted"); continue; }
            foreach (var (from, to) in b.Directives.Replacements) line = line.Replace(from, to);
            s.AppendLine(DeepSharpCommand().Replace(line, "deepsharp"));
        }
        return s.ToString();
    }

    /// <summary>Writes the script under obj/doctests/shell (not fed on stdin: a command in it could read that) and runs it.</summary>
    public static ProcessRunner.Result Run(DocBlock b, string repo, string cliDll, string work)
    {
        string dir = Path.Combine(repo, "obj", "doctests", "shell");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, $"block{b.Id}.sh");
        File.WriteAllText(file, Script(b, cliDll));
        string cwd = Path.Combine(work, $"block{b.Id}");
        Directory.CreateDirectory(cwd);
        foreach (var entry in Directory.EnumerateFileSystemEntries(repo))
        {
            string name = Path.GetFileName(entry);
            if (name is ".git" or "bin" or "obj") continue;
            File.CreateSymbolicLink(Path.Combine(cwd, name), entry);
        }
        return ProcessRunner.Run("bash", [file], cwd, b.Directives.TimeoutSeconds);
    }
}
