using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepSharp.Bench;

/// <summary>One peer configuration's figures (NaN where the run failed or printed nothing).</summary>
public sealed record PeerResult(string Name, double MnistEpochSeconds, double MnistImagesPerSecond,
    double CatsDogsStepSeconds, double VggImagesPerSecond, string Note);

/// <summary>
/// Runs the peers' scripts in <c>shared/peers</c> (PyTorch through Debian's python, TorchSharp through its
/// built peer program), with the default allocator and with jemalloc that never returns memory, and parses
/// the figures they print: epoch seconds, inference images/s, training step seconds, VGG16 images/s.
/// </summary>
public static partial class Peers
{
    public const string Jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

    /// <summary>The environment variables of the peers' best configuration.</summary>
    public static readonly (string Name, string Value)[] JemallocEnvironment =
        [("LD_PRELOAD", Jemalloc), ("MALLOC_CONF", "dirty_decay_ms:-1,muzzy_decay_ms:-1")];

    /// <summary>PyTorch: torch_mnist.py and torch_catsdogs_step.py, 2 threads.</summary>
    public static PeerResult PyTorch(string dir, bool jemalloc, int epochs, int timeoutSeconds)
    {
        var env = jemalloc ? JemallocEnvironment : [];
        var mnist = Run("/usr/bin/python3", [Path.Combine(dir, "torch_mnist.py"), "--threads", "2", "--epochs", epochs.ToString(CultureInfo.InvariantCulture)], env, timeoutSeconds);
        var cats = Run("/usr/bin/python3", [Path.Combine(dir, "torch_catsdogs_step.py"), "--threads", "2"], env, timeoutSeconds);
        return Parse($"PyTorch {(jemalloc ? "jemalloc" : "default")}", mnist, cats);
    }

    /// <summary>TorchSharp: the built TorchSharpPeer.dll's mnist and catsdogs commands, 2 threads.</summary>
    public static PeerResult TorchSharp(string dll, bool jemalloc, int epochs, int timeoutSeconds)
    {
        var env = jemalloc ? JemallocEnvironment : [];
        var mnist = Run("dotnet", [dll, "mnist", "--threads", "2", "--epochs", epochs.ToString(CultureInfo.InvariantCulture)], env, timeoutSeconds);
        var cats = Run("dotnet", [dll, "catsdogs", "--threads", "2"], env, timeoutSeconds);
        return Parse($"TorchSharp {(jemalloc ? "jemalloc" : "default")}", mnist, cats);
    }

    /// <summary>
    /// Finds TorchSharpPeer.dll in the peers' scratch folder, or builds it there (as run_all.sh does) within
    /// <paramref name="buildSeconds"/>. Returns null with the reason when it cannot.
    /// </summary>
    public static string? FindOrBuildTorchSharp(string dir, int buildSeconds, out string reason)
    {
        string scratch = Environment.GetEnvironmentVariable("PEERS_SCRATCH")
            ?? Path.Combine(Environment.GetEnvironmentVariable("TMPDIR") ?? "/tmp", "deepsharp-peers");
        string ts = Path.Combine(scratch, "torchsharp");
        string dll = Path.Combine(ts, "bin", "Release", "net10.0", "TorchSharpPeer.dll");
        reason = "";
        if (File.Exists(dll)) return dll;
        Directory.CreateDirectory(ts);
        foreach (var f in new[] { "Program.cs", "TorchSharpPeer.csproj" })
            File.Copy(Path.Combine(dir, "TorchSharpPeer", f), Path.Combine(ts, f), overwrite: true);
        var build = Run("dotnet", ["build", ts, "-c", "Release"], [], buildSeconds);
        if (!File.Exists(dll))
        {
            reason = build.TimedOut ? $"its build (NuGet restore) did not finish within {buildSeconds} s"
                : "its build failed: " + LastLines(build.Output, 3);
            return null;
        }
        string native = Path.Combine(ts, "bin", "Release", "net10.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Run("/usr/bin/python3", [Path.Combine(dir, "weaken_glibcxx.py"), native], [], 60);
        return dll;
    }

    /// <summary>
    /// Every figure is the peer's median, as DeepSharp's are: before 2026-12-01 the inference and VGG16 columns took
    /// the peers' best pass against DeepSharp's median (about 5 % in the peers' favour on MNIST inference).
    /// </summary>
    private static PeerResult Parse(string name, RunOutput mnist, RunOutput cats)
    {
        double epoch = Number(mnist.Output, EpochMedian()), infer = Number(mnist.Output, InferenceMedian());
        double step = Number(cats.Output, StepMedian()), vgg = Number(cats.Output, VggMedian());
        string note = mnist.TimedOut || cats.TimedOut ? "timed out" : mnist.ExitCode != 0 || cats.ExitCode != 0
            ? "failed: " + LastLines(mnist.ExitCode != 0 ? mnist.Output : cats.Output, 2) : "";
        return new PeerResult(name, epoch, infer, step, vgg, note);
    }

    private static double Number(string text, Regex pattern)
    {
        var m = pattern.Match(text);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }

    // "epoch seconds: [12.3]  median=12.30" (both peers); the per-epoch line when only one epoch ran.
    [GeneratedRegex(@"epoch seconds: .*?median=([0-9.]+)")] private static partial Regex EpochMedian();
    // "inference (batch 256, ...): median 8300 img/s, best 8336 img/s"
    [GeneratedRegex(@"inference \(batch.*?median ([0-9.]+) img/s")] private static partial Regex InferenceMedian();
    // "cats/dogs train step (batch 20, ...): median 0.2630s"
    [GeneratedRegex(@"cats/dogs train step .*?median ([0-9.]+)s")] private static partial Regex StepMedian();
    // "vgg16 features fwd (...): median ...s/batch ... -> 20.1 img/s (median), 21.6 img/s (best)"
    [GeneratedRegex(@"vgg16 features fwd .*?([0-9.]+) img/s \(median\)")] private static partial Regex VggMedian();

    internal sealed record RunOutput(string Output, int ExitCode, bool TimedOut);

    internal static RunOutput Run(string file, string[] args, (string Name, string Value)[] env, int timeoutSeconds)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (n, v) in env) psi.Environment[n] = v;
        Console.WriteLine($"  running: {string.Join(' ', env.Select(e => $"{e.Name}={e.Value}"))} {file} {string.Join(' ', args)}");
        try
        {
            using var p = Process.Start(psi)!;
            var output = new System.Text.StringBuilder();
            p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            if (!p.WaitForExit(timeoutSeconds * 1000))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                return new RunOutput(output.ToString(), -1, true);
            }
            p.WaitForExit();
            return new RunOutput(output.ToString(), p.ExitCode, false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new RunOutput($"could not start {file}: {e.Message}", -1, false);
        }
    }

    internal static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count));
}
