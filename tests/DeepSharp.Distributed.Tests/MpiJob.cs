using System.Diagnostics;

namespace DeepSharp.DistributedTests;

/// <summary>Runs <see cref="Worker"/> on 2 ranks under the real mpirun, inside a wall-clock limit.</summary>
internal sealed partial record MpiJob(int ExitCode, string Output, double Seconds, int Survivors = 0)
{
    public static MpiJob Run(string scenario, TimeSpan limit, double? collectiveTimeoutSeconds = null, string? interruptAfter = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"deepsharp-mpi-{scenario}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string[] args = [typeof(Worker).Assembly.Location, scenario, dir];
            if (collectiveTimeoutSeconds is { } t) args = [.. args, t.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            return RunDotnet(args, limit, interruptAfter);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Runs <paramref name="scenario"/> on 2 ranks with the folder <paramref name="dir"/>, which the caller owns.</summary>
    public static MpiJob RunIn(string scenario, string dir, TimeSpan limit) =>
        RunDotnet([typeof(Worker).Assembly.Location, scenario, dir], limit);

    /// <summary>
    /// mpirun -np 2 dotnet ARGS, killed (and the test failed) past <paramref name="limit"/>. With
    /// <paramref name="interruptAfter"/>: once the output holds that text, mpirun gets SIGINT (what Ctrl+C sends it: the
    /// ranks run in process groups of their own); Seconds is then the time from the signal to mpirun's exit, and
    /// Survivors the processes still running whose command line holds ARGS' last argument (the job's own folder).
    /// </summary>
    public static MpiJob RunDotnet(string[] dotnetArgs, TimeSpan limit, string? interruptAfter = null)
    {
        string mpirun = FindMpirun();
        {
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
            var psi = new ProcessStartInfo(mpirun)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "--tag-output", "-np", "2", dotnet }.Concat(dotnetArgs))
                psi.ArgumentList.Add(a);
            psi.Environment.Remove("DEEPSHARP_THREADS");
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var output = new System.Text.StringBuilder();
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            if (interruptAfter is not null)
            {
                while (!p.HasExited && !Contains(output, interruptAfter) && sw.Elapsed < limit) Thread.Sleep(50);
                if (!Contains(output, interruptAfter))
                {
                    if (!p.HasExited) p.Kill(entireProcessTree: true);
                    throw new TimeoutException($"mpirun {string.Join(' ', dotnetArgs)} did not print '{interruptAfter}' within {limit.TotalSeconds} s. Output:\n{output}");
                }
                if (Kill(p.Id, SigInt) != 0) throw new InvalidOperationException($"kill(SIGINT) on mpirun (pid {p.Id}) failed");
                sw.Restart();
            }
            if (!p.WaitForExit(limit))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                throw new TimeoutException($"mpirun {string.Join(' ', dotnetArgs)} did not end within {limit.TotalSeconds} s. Output so far:\n{output}");
            }
            p.WaitForExit();
            double seconds = sw.Elapsed.TotalSeconds;
            int survivors = interruptAfter is null ? 0 : CountProcesses(dotnetArgs[^1]);
            lock (output) return new MpiJob(p.ExitCode, output.ToString(), seconds, survivors);
        }
    }

    /// <summary>The "CHECK ..." lines rank 0 printed, without mpirun's tag.</summary>
    public IReadOnlyList<string> Checks => Output.Split('\n')
        .Select(l => l.TrimEnd('\r'))
        .Select(l => l.IndexOf("CHECK ", StringComparison.Ordinal) is int i and >= 0 ? l[(i + 6)..] : null)
        .OfType<string>().ToList();

    public string Check(string name) => Checks.FirstOrDefault(c => c.StartsWith(name + " ", StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"rank 0 printed no 'CHECK {name}' line (exit code {ExitCode}). Output:\n{Output}");

    private const int SigInt = 2;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    private static bool Contains(System.Text.StringBuilder output, string text)
    {
        lock (output) return output.ToString().Contains(text, StringComparison.Ordinal);
    }

    /// <summary>How many running processes have <paramref name="marker"/> in their command line (after a second's grace).</summary>
    private static int CountProcesses(string marker)
    {
        int count = 0;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            count = 0;
            foreach (var proc in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(proc), out _)) continue;
                try { if (File.ReadAllText(Path.Combine(proc, "cmdline")).Contains(marker, StringComparison.Ordinal)) count++; }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            if (count == 0) break;
            Thread.Sleep(100);
        }
        return count;
    }

    private static string FindMpirun()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            if (File.Exists(Path.Combine(dir, "mpirun"))) return Path.Combine(dir, "mpirun");
        throw new InvalidOperationException("mpirun was not found on PATH: the distributed tests run 2 real ranks. Install Open MPI: apt-get install openmpi-bin (.ci/run does).");
    }
}
