using System.Globalization;
using System.Text.RegularExpressions;

namespace DeepSharp.Bench;

/// <summary>One ResNet18 peer configuration's figures (NaN where the run failed or printed nothing).</summary>
internal sealed record ResNet18PeerResult(string Name, double InferImagesPerSecond, double FineTuneStepSeconds, string Note);

/// <summary>
/// Runs the ResNet18 peers kept in this repository (<c>bench/peers</c>): <c>torch_resnet18.py</c> through Debian's python
/// and the <c>TorchSharpResNet18</c> project, built in the peers' scratch folder, each with the default allocator or
/// with jemalloc that never returns memory (<see cref="Peers.JemallocEnvironment"/>), and parses what they print.
/// </summary>
internal static partial class ResNet18Peers
{
    /// <summary>bench/peers beside the built program (bench/bin/Release/net10.0/), else ./bench/peers.</summary>
    public static string FindDir()
    {
        string beside = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../peers"));
        return File.Exists(Path.Combine(beside, "torch_resnet18.py")) ? beside : Path.GetFullPath(Path.Combine("bench", "peers"));
    }

    /// <summary>PyTorch: torch_resnet18.py, 2 threads.</summary>
    public static ResNet18PeerResult PyTorch(string dir, bool jemalloc, int timeoutSeconds) =>
        Parse($"PyTorch {(jemalloc ? "jemalloc" : "default")}",
            Peers.Run("/usr/bin/python3", [Path.Combine(dir, "torch_resnet18.py"), "--threads", "2"], jemalloc ? Peers.JemallocEnvironment : [], timeoutSeconds));

    /// <summary>TorchSharp: the built TorchSharpResNet18.dll, 2 threads.</summary>
    public static ResNet18PeerResult TorchSharp(string dll, bool jemalloc, int timeoutSeconds) =>
        Parse($"TorchSharp {(jemalloc ? "jemalloc" : "default")}",
            Peers.Run("dotnet", [dll, "--threads", "2"], jemalloc ? Peers.JemallocEnvironment : [], timeoutSeconds));

    /// <summary>
    /// Copies bench/peers/TorchSharpResNet18 into <c>$PEERS_SCRATCH/torchsharp-resnet18</c> (default /tmp/deepsharp-peers) and
    /// builds it there when its sources changed or it was never built, then marks libLibTorchSharp's GLIBCXX_3.4.32
    /// requirement weak (<c>weaken_glibcxx.py</c> of the shared peers). Returns null with the reason when it cannot.
    /// </summary>
    public static string? FindOrBuildTorchSharp(string dir, string sharedPeersDir, int buildSeconds, out string reason)
    {
        string scratch = Environment.GetEnvironmentVariable("PEERS_SCRATCH")
            ?? Path.Combine(Environment.GetEnvironmentVariable("TMPDIR") ?? "/tmp", "deepsharp-peers");
        string project = Path.Combine(scratch, "torchsharp-resnet18");
        string output = Path.Combine(project, "bin", "Release", "net10.0");
        string dll = Path.Combine(output, "TorchSharpResNet18.dll");
        reason = "";
        Directory.CreateDirectory(project);
        bool changed = false;
        foreach (var f in new[] { "Program.cs", "TorchSharpResNet18.csproj" })
        {
            string source = Path.Combine(dir, "TorchSharpResNet18", f), copy = Path.Combine(project, f);
            if (File.Exists(copy) && File.ReadAllText(copy) == File.ReadAllText(source)) continue;
            File.Copy(source, copy, overwrite: true);
            changed = true;
        }
        if (File.Exists(dll) && !changed) return dll;
        var build = Peers.Run("dotnet", ["build", project, "-c", "Release"], [], buildSeconds);
        if (build.ExitCode != 0 || !File.Exists(dll))
        {
            reason = build.TimedOut ? $"its build (NuGet restore) did not finish within {buildSeconds} s"
                : "its build failed: " + Peers.LastLines(build.Output, 3);
            return null;
        }
        string native = Path.Combine(output, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        string weaken = Path.Combine(sharedPeersDir, "weaken_glibcxx.py");
        if (File.Exists(weaken)) Peers.Run("/usr/bin/python3", [weaken, native], [], 60);
        else Console.WriteLine($"  {weaken} not found: TorchSharp may fail to load on a libstdc++ without GLIBCXX_3.4.32.");
        return dll;
    }

    private static ResNet18PeerResult Parse(string name, Peers.RunOutput run)
    {
        string note = run.TimedOut ? "timed out" : run.ExitCode != 0 ? "failed: " + Peers.LastLines(run.Output, 2) : "";
        return new ResNet18PeerResult(name, Number(run.Output, InferBest()), Number(run.Output, StepMedian()), note);
    }

    private static double Number(string text, Regex pattern)
    {
        var m = pattern.Match(text);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }

    // "resnet18 infer (224x224, batch 32, 5 iters): median 1.2s/batch  min ...  -> 26.1 img/s (median), 27.0 img/s (best)"
    [GeneratedRegex(@"resnet18 infer .*?([0-9.]+) img/s \(best\)")] private static partial Regex InferBest();
    // "resnet18 finetune step (batch 16, ...): median 0.9123s"
    [GeneratedRegex(@"resnet18 finetune step .*?median ([0-9.]+)s")] private static partial Regex StepMedian();
}
