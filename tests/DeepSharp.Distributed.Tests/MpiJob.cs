using System.Diagnostics;

namespace DeepSharp.DistributedTests;

/// <summary>Runs <see cref="Worker"/> on 2 ranks under the real mpirun, inside a wall-clock limit.</summary>
internal sealed record MpiJob(int ExitCode, string Output, double Seconds)
{
    public static MpiJob Run(string scenario, TimeSpan limit, double? collectiveTimeoutSeconds = null)
    {
        string mpirun = FindMpirun();
        string dir = Path.Combine(Path.GetTempPath(), $"deepsharp-mpi-{scenario}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
            var psi = new ProcessStartInfo(mpirun)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "--tag-output", "-np", "2", dotnet, typeof(Worker).Assembly.Location, scenario, dir })
                psi.ArgumentList.Add(a);
            if (collectiveTimeoutSeconds is { } t) psi.ArgumentList.Add(t.ToString(System.Globalization.CultureInfo.InvariantCulture));
            psi.Environment.Remove("DEEPSHARP_THREADS");
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var output = new System.Text.StringBuilder();
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            if (!p.WaitForExit(limit))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                throw new TimeoutException($"mpirun {scenario} did not end within {limit.TotalSeconds} s. Output so far:\n{output}");
            }
            p.WaitForExit();
            lock (output) return new MpiJob(p.ExitCode, output.ToString(), sw.Elapsed.TotalSeconds);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>The "CHECK ..." lines rank 0 printed, without mpirun's tag.</summary>
    public IReadOnlyList<string> Checks => Output.Split('\n')
        .Select(l => l.TrimEnd('\r'))
        .Select(l => l.IndexOf("CHECK ", StringComparison.Ordinal) is int i and >= 0 ? l[(i + 6)..] : null)
        .OfType<string>().ToList();

    public string Check(string name) => Checks.FirstOrDefault(c => c.StartsWith(name + " ", StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"rank 0 printed no 'CHECK {name}' line (exit code {ExitCode}). Output:\n{Output}");

    private static string FindMpirun()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            if (File.Exists(Path.Combine(dir, "mpirun"))) return Path.Combine(dir, "mpirun");
        throw new InvalidOperationException("mpirun was not found on PATH: the distributed tests run 2 real ranks. Install Open MPI: apt-get install openmpi-bin (.ci/run does).");
    }
}
