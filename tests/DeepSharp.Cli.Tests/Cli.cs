using System.Diagnostics;

namespace DeepSharp.Cli.Tests;

/// <summary>Runs the deepsharp program (DeepSharp.Cli.dll next to the tests) and captures its exit code and output.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>The stderr lines (the error contract: exactly one line starting "error: ").</summary>
        public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Result Run(string workingDirectory, params string[] args) => RunWith(workingDirectory, null, args);

    /// <summary>Runs with extra environment variables (e.g. the save-step kill hook of RunManifest).</summary>
    public static Result RunWith(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunAs(workingDirectory, environment, [], args);

    /// <summary>
    /// Runs with file permissions enforced even for root: under root (as the tests run in CI) the program is started by
    /// util-linux's <c>setpriv</c> without the capabilities that let root read any file (CAP_DAC_OVERRIDE,
    /// CAP_DAC_READ_SEARCH), so a file of mode 000 is refused by the kernel as it is for any user.
    /// </summary>
    public static Result RunWithPermissionsEnforced(string workingDirectory, params string[] args)
    {
        if (Environment.UserName != "root") return Run(workingDirectory, args);
        const string caps = "-dac_override,-dac_read_search";
        Assert.True(File.Exists("/usr/bin/setpriv"), "this test runs as root and needs /usr/bin/setpriv (Debian's util-linux) to drop root's read-anything capabilities");
        return RunAs(workingDirectory, null, ["/usr/bin/setpriv", "--inh-caps=" + caps, "--bounding-set=" + caps, "--"], args);
    }

    private static Result RunAs(string workingDirectory, IReadOnlyDictionary<string, string>? environment, string[] prefix, string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "DeepSharp.Cli.dll");
        var psi = new ProcessStartInfo(prefix.Length > 0 ? prefix[0] : "dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in prefix.Skip(1)) psi.ArgumentList.Add(a);
        if (prefix.Length > 0) psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("DEEPSHARP_VERBOSE");
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(entireProcessTree: true); throw new TimeoutException($"deepsharp {string.Join(' ', args)} ran over 2 minutes"); }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Asserts the error contract: the exit code, one "error: " line with the given parts, no stack trace.</summary>
    public static void AssertOneLineError(Result r, int exitCode, params string[] parts)
    {
        Assert.True(r.ExitCode == exitCode, $"exit code {r.ExitCode}, expected {exitCode}; stderr: {r.Stderr}");
        Assert.DoesNotContain("   at ", r.Stderr);
        var lines = r.ErrorLines.Where(l => !l.StartsWith("Run ", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length == 1, $"expected one error line, got: {r.Stderr}");
        Assert.StartsWith("error: ", lines[0]);
        foreach (var part in parts) Assert.Contains(part, lines[0]);
    }
}

/// <summary>A fresh folder under the system temp folder, deleted when the test ends.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "deepsharp-cli-test-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
