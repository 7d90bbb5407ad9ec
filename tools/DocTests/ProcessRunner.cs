using System.Diagnostics;
using System.Text;

namespace DocTests;

/// <summary>Runs a process with a time limit, capturing stdout and stderr together.</summary>
internal static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Output, bool TimedOut, double Seconds);

    public static Result Run(string file, IEnumerable<string> args, string workingDirectory, int timeoutSeconds,
        IDictionary<string, string>? environment = null, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
            RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        var output = new StringBuilder();
        var sw = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (stdin is not null) { p.StandardInput.Write(stdin); p.StandardInput.Close(); }
        bool exited = p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds));
        if (!exited)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit(TimeSpan.FromSeconds(10));
        }
        else p.WaitForExit();   // drains the output
        lock (output) return new Result(exited ? p.ExitCode : -1, output.ToString(), !exited, sw.Elapsed.TotalSeconds);
    }

    /// <summary>The last lines of a process's output, indented, for a failure report.</summary>
    public static string Tail(string output, int lines = 25)
    {
        var all = output.TrimEnd().Split('\n');
        return string.Join("\n", all.Skip(Math.Max(0, all.Length - lines)).Select(l => "    | " + l.TrimEnd('\r')));
    }
}
