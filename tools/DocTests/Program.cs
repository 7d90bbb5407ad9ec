// Docs and examples are tests (issue 26): every ```csharp and ```bash block of README.md and docs/*.md runs, and
// every project under examples/ runs end to end in its smoke setting. tools/test.sh runs this after the unit tests.
//   dotnet run -c Release --project tools/DocTests [-- [--docs-only | --examples-only] [FILE.md ...]]
// A block that needs context or smaller sizes says so in an HTML comment just above it (invisible on GitHub);
// the conventions are in docs/CONTRIBUTING.md ("Docs are tests"). C# blocks run in an empty folder with DOCTEST_REPO
// set to the repository (a prelude reads fixtures from there).
using DocTests;

string repo = FindRepository();
bool docs = !args.Contains("--examples-only"), examples = !args.Contains("--docs-only");
var files = args.Where(a => a.EndsWith(".md", StringComparison.Ordinal)).Select(f => Path.GetRelativePath(repo, Path.GetFullPath(f))).ToList();
if (files.Count == 0)
    files = ["README.md", .. Directory.GetFiles(Path.Combine(repo, "docs"), "*.md").Select(f => Path.GetRelativePath(repo, f)).Order(StringComparer.Ordinal)];
else examples = examples && args.Contains("--examples");

var report = new Report();
string work = Directory.CreateTempSubdirectory("deepsharp-doctests.").FullName;
try
{
    string cliDll = Path.Combine(repo, "src", "DeepSharp.Cli", "bin", "Release", "net10.0", "DeepSharp.Cli.dll");
    if (!File.Exists(cliDll))
    {
        var build = ProcessRunner.Run("dotnet", ["build", "src/DeepSharp.Cli", "-c", "Release", "-v:q", "--nologo"], repo, 900);
        if (build.ExitCode != 0) { report.Fail("src/DeepSharp.Cli", "does not build", build.Output); report.Print(); return 1; }
    }
    if (docs) RunDocs(repo, files, cliDll, work, report);
    if (examples) Examples.Run(repo, cliDll, work, report, timeoutSeconds: 300);
}
finally
{
    try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
}
report.Print();
return report.Failed == 0 ? 0 : 1;

static void RunDocs(string repo, List<string> files, string cliDll, string work, Report report)
{
    var blocks = new List<DocBlock>();
    foreach (var f in files)
    {
        try { blocks.AddRange(Markdown.Blocks(repo, f)); }
        catch (FormatException e) { report.Fail(f, e.Message); }
    }
    for (int i = 0; i < blocks.Count; i++) blocks[i].Id = i + 1;
    var csharp = blocks.Where(b => b.Language == "csharp").ToList();
    Console.WriteLine($"docs: {blocks.Count} blocks ({csharp.Count} C#, {blocks.Count - csharp.Count} shell) in {string.Join(", ", files)}");

    string? snippets = null;
    if (csharp.Count > 0)
    {
        snippets = CSharpBlocks.Generate(repo, csharp);
        var build = ProcessRunner.Run("dotnet", ["build", Path.Combine(CSharpBlocks.ProjectFolder(repo), "DocSnippets.csproj"), "-c", "Release", "-v:q", "--nologo", "-clp:ErrorsOnly"], repo, 900);
        if (build.ExitCode != 0)
        {
            report.Fail("C# blocks", "do not compile (errors point at the markdown lines)", build.Output);
            snippets = null;
        }
        else Console.WriteLine($"  built   {csharp.Count} C# blocks into one project ({build.Seconds:F1} s)");
    }

    foreach (var b in blocks)
    {
        string what = $"{b.Where} ({b.Language})";
        if (CSharpBlocks.ReplacementsUnused(b) is { } stale) { report.Fail(what, stale); continue; }
        if (b.Directives.Skip is { } why) { report.Skip(what, why); continue; }
        foreach (var (text, reason) in b.Directives.Omissions)
        {
            if (b.Code.Any(l => l.Contains(text, StringComparison.Ordinal))) report.Skip($"{b.Where} line '{text}'", reason);
            else report.Fail(what, $"'omit:' text not found in the block: {text}");
        }
        ProcessRunner.Result r;
        if (b.Language == "csharp")
        {
            if (snippets is null) { report.Fail(what, "not run: the C# blocks did not compile"); continue; }
            string cwd = Path.Combine(work, $"block{b.Id}");
            Directory.CreateDirectory(cwd);
            r = ProcessRunner.Run("dotnet", [snippets, b.Id.ToString()], cwd, b.Directives.TimeoutSeconds,
                new Dictionary<string, string> { ["DOCTEST_REPO"] = repo });
        }
        else r = ShellBlocks.Run(b, repo, cliDll, work);
        if (r.TimedOut) { report.Fail(what, $"did not finish in {b.Directives.TimeoutSeconds} s", r.Output); continue; }
        if (r.ExitCode != 0) { report.Fail(what, $"exit code {r.ExitCode}", r.Output); continue; }
        var wrong = b.Directives.Expectations.Select(e => e.Check(r.Output)).OfType<string>().ToList();
        if (wrong.Count > 0) report.Fail(what, string.Join("; ", wrong), r.Output);
        else report.Pass(what + (b.Directives.Expectations.Count > 0 ? $", checked {string.Join(", ", b.Directives.Expectations)}" : ""), r.Seconds);
    }
}

static string FindRepository()
{
    for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "DeepSharp.sln"))) return d.FullName;
    throw new DirectoryNotFoundException("Run the doc tests inside the DeepSharp repository (no DeepSharp.sln above the current folder).");
}
