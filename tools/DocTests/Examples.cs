using System.Text.RegularExpressions;

namespace DocTests;

/// <summary>
/// Every project under examples/ in its smoke setting. A Program.cs line <c>// smoke: ARGS</c> gives the arguments
/// (default: <c>--smoke</c>); <c>{data}</c>, <c>{model}</c>, <c>{image}</c> and <c>{out}</c> stand for a tiny
/// folder dataset (two Fashion-MNIST classes, 64×64 JPEGs, train/validation/test), a model the command line trained on
/// it for one epoch, one of its images, and an empty folder. Each example runs in its own empty working folder.
/// </summary>
internal static partial class Examples
{
    [GeneratedRegex(@"^\s*//\s*smoke:\s*(.*)$", RegexOptions.Multiline)]
    private static partial Regex SmokeLine();

    public static void Run(string repo, string cliDll, string work, Report report, int timeoutSeconds)
    {
        var projects = Directory.GetDirectories(Path.Combine(repo, "examples")).OrderBy(d => d, StringComparer.Ordinal)
            .Select(d => (Dir: d, Csproj: Directory.GetFiles(d, "*.csproj").FirstOrDefault()))
            .Where(p => p.Csproj is not null).ToList();
        Console.WriteLine($"examples/: {projects.Count} projects, smoke setting");
        var fixture = MakeFixture(cliDll, work, report);
        if (fixture is null) return;
        // One build for all of them (one restore): a solution filter of DeepSharp.sln; a project missing from the
        // solution is built on its own (add it to DeepSharp.sln).
        string solution = File.ReadAllText(Path.Combine(repo, "DeepSharp.sln"));
        var inSolution = projects.Where(p => solution.Contains(SolutionPath(repo, p.Csproj!), StringComparison.Ordinal)).ToList();
        if (inSolution.Count > 0)
        {
            string filter = Path.Combine(repo, "obj", "doctests", "examples.slnf");
            Directory.CreateDirectory(Path.GetDirectoryName(filter)!);
            File.WriteAllText(filter, $$"""
                { "solution": { "path": "../../DeepSharp.sln", "projects": [{{string.Join(", ", inSolution.Select(p => $"\"{SolutionPath(repo, p.Csproj!).Replace("\\", "\\\\")}\""))}}] } }
                """);
            var build = ProcessRunner.Run("dotnet", ["build", filter, "-c", "Release", "-v:q", "--nologo", "-clp:ErrorsOnly"], repo, 900);
            if (build.ExitCode != 0) { report.Fail("examples/", "do not build", build.Output); return; }
            Console.WriteLine($"  built   {inSolution.Count} examples in one build ({build.Seconds:F1} s)");
        }
        foreach (var (dir, csproj) in projects)
        {
            string name = Path.GetFileNameWithoutExtension(csproj!);
            string what = $"examples/{Path.GetFileName(dir)}";
            string dll = Path.Combine(dir, "bin", "Release", "net10.0", name + ".dll");
            if (!inSolution.Any(p => p.Csproj == csproj))
            {
                var build = ProcessRunner.Run("dotnet", ["build", csproj!, "-c", "Release", "-v:q", "--nologo"], repo, 600);
                if (build.ExitCode != 0) { report.Fail(what, "does not build (and is not in DeepSharp.sln)", build.Output); continue; }
            }
            string program = Path.Combine(dir, "Program.cs");
            var m = File.Exists(program) ? SmokeLine().Match(File.ReadAllText(program)) : Match.Empty;
            string argLine = m.Success ? m.Groups[1].Value.Trim() : "--smoke";
            string output = Path.Combine(work, "out-" + name);
            Directory.CreateDirectory(output);
            var args = argLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(a => a.Replace("{data}", fixture.Value.Data).Replace("{model}", fixture.Value.Model)
                    .Replace("{image}", fixture.Value.Image).Replace("{out}", output)).ToList();
            string cwd = Path.Combine(work, "cwd-" + name);
            Directory.CreateDirectory(cwd);
            var r = ProcessRunner.Run("dotnet", [dll, .. args], cwd, timeoutSeconds);
            if (r.TimedOut) report.Fail(what, $"did not finish in {timeoutSeconds} s", r.Output);
            else if (r.ExitCode != 0) report.Fail(what, $"exit code {r.ExitCode} (args: {string.Join(' ', args)})", r.Output);
            else report.Pass($"{what} {argLine}", r.Seconds);
        }
    }

    /// <summary>The project's path as DeepSharp.sln writes it: examples\\X\\X.csproj.</summary>
    private static string SolutionPath(string repo, string csproj) => Path.GetRelativePath(repo, csproj).Replace('/', '\\');

    private static (string Data, string Model, string Image)? MakeFixture(string cliDll, string work, Report report)
    {
        string data = Path.Combine(work, "data"), model = Path.Combine(work, "model");
        var make = ProcessRunner.Run("dotnet", [cliDll, "make-dataset", "--output", data, "--train", "10", "--validation", "4", "--test", "4", "--size", "64"], work, 300);
        if (make.ExitCode != 0) { report.Fail("examples/ fixture", "deepsharp make-dataset failed (needs Fashion-MNIST: apt-get install dataset-fashion-mnist)", make.Output); return null; }
        var train = ProcessRunner.Run("dotnet", [cliDll, "train", "--data", data, "--target-size", "64", "--epochs", "1", "--seed", "1", "--output", model], work, 300);
        if (train.ExitCode != 0) { report.Fail("examples/ fixture", "deepsharp train failed", train.Output); return null; }
        string image = Directory.GetFiles(Path.Combine(data, "test"), "*.*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).First();
        return (data, Path.Combine(model, "model.keras"), image);
    }
}
