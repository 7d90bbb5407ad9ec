using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using DeepSharp.Backends.Cpu;

namespace DeepSharp.Bench.Workloads;

/// <summary>
/// <c>widths</c>: each chapter workload at every vector width this CPU has (512, 256, 128 bits), in one run. One
/// <c>widths-worker</c> process per width (<c>DOTNET_EnableAVX512=0</c> / <c>DOTNET_EnableAVX2=0</c> narrow it, and the
/// worker's own report of its width is checked), each keeping its model warm; workload by workload, round by round, the
/// widths take turns (the order rotates every round), so every width sees the same load on a shared machine. Prints each
/// width's median, the median of the rounds' wider/narrower time ratios with their range, and one line per workload that
/// flags any wider path slower than a narrower one by more than 3 %.
/// <c>--against DLL</c> adds the same widths of another build (its <c>bench.dll</c>), alternating with this one, and
/// prints this/that ratios per width: a before/after on one machine at one time.
/// </summary>
public sealed class WidthsWorkload : IWorkload
{
    public string Name => "widths";
    public string Description => "every chapter workload at every vector width (512/256/128 bits) in alternating child processes; flags a wider path slower than a narrower one by > 3 % (--rounds N, --only LIST, --widths LIST, --against BENCH.DLL)";

    /// <summary>Steps per timed sample of each workload (about a quarter of a second to three seconds at 2 threads).</summary>
    private static readonly Dictionary<string, int> DefaultSteps = new()
    {
        ["mnist-train"] = 40, ["mnist-infer"] = 10, ["catsdogs-step"] = 2, ["vgg16-infer"] = 1, ["resnet18-finetune"] = 1,
    };

    private sealed record Variant(string Label, string Build, VectorWidth Width, string Dll);

    public void Run(BenchOptions options)
    {
        int rounds = options.Int("rounds", 7);
        int timeout = options.Int("timeout", 600);
        int threads = options.Threads();
        var only = options.String("only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var workloads = WidthsWorkerWorkload.Known.Where(k => only == null || only.Contains(k.Name)).ToArray();
        if (only != null && only.FirstOrDefault(o => WidthsWorkerWorkload.Known.All(k => k.Name != o)) is { } bad)
            throw new ArgumentException($"widths: unknown workload '{bad}' in --only. Known: {string.Join(", ", WidthsWorkerWorkload.Known.Select(k => k.Name))}.");
        var widths = ParseWidths(options.String("widths"));
        string self = Assembly.GetEntryAssembly()!.Location;
        string? against = options.String("against");
        if (against != null && !File.Exists(against))
            throw new ArgumentException($"widths: --against '{against}' does not exist. Give the bench.dll of another build (e.g. bench/bin/Release/net10.0/bench.dll of a second worktree).");

        var variants = new List<Variant>();
        foreach (var w in widths) variants.Add(new Variant(Short(w), "this", w, self));
        if (against != null) foreach (var w in widths) variants.Add(new Variant($"{Short(w)} base", "base", w, Path.GetFullPath(against)));

        Console.WriteLine($"widths: {rounds} rounds, {threads} threads, widths {string.Join(", ", widths.Select(Short))}"
            + (against != null ? $", against {Path.GetFullPath(against)}" : "")
            + $"; DEEPSHARP_* set: {string.Join(" ", Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DEEPSHARP_", StringComparison.Ordinal)).Order().DefaultIfEmpty("none"))}");
        var workers = new List<Worker>();
        try
        {
            foreach (var v in variants) workers.Add(Worker.Start(v, threads, timeout));
            foreach (var (name, unit) in workloads)
            {
                int steps = options.Int($"{name}-steps", DefaultSteps[name]);
                var times = variants.Select(_ => new List<double>()).ToArray();
                foreach (var w in workers) w.Ask($"{name} {steps}");   // build and warm up every process first
                for (int r = 0; r < rounds; r++)
                {
                    // Rotate the order every round and reverse it every other one, so no width always follows another.
                    var order = Enumerable.Range(0, variants.Count).Select(i => (i + r) % variants.Count).ToArray();
                    if (r % 2 == 1) Array.Reverse(order);
                    foreach (int i in order) times[i].Add(double.Parse(workers[i].Ask($"{name} {steps}"), CultureInfo.InvariantCulture));
                }
                foreach (var w in workers) w.Release();
                Report(name, unit, steps, variants, times);
            }
        }
        finally
        {
            foreach (var w in workers) w.Dispose();
        }
    }

    private static void Report(string name, string unit, int steps, List<Variant> variants, List<double>[] times)
    {
        Console.WriteLine($"== {name}: {unit}, {times[0].Count} rounds of {steps} step(s)");
        var table = new ResultTable("variant", "median", "min", "max");
        for (int i = 0; i < variants.Count; i++)
        {
            var t = Timing.Summarize(times[i].ToArray());
            table.Add(variants[i].Label, ResultTable.Num(1e3 * t.Median, 2), ResultTable.Num(1e3 * t.Min, 2), ResultTable.Num(1e3 * t.Max, 2));
        }
        table.Print();
        var inversions = new List<string>();
        var ratios = new List<string>();
        foreach (string build in variants.Select(v => v.Build).Distinct())
        {
            var mine = variants.Select((v, i) => (v, i)).Where(p => p.v.Build == build).ToArray();
            for (int a = 0; a < mine.Length; a++)
                for (int b = a + 1; b < mine.Length; b++)
                {
                    var (wide, narrow) = mine[a].v.Width > mine[b].v.Width ? (mine[a], mine[b]) : (mine[b], mine[a]);
                    var q = RoundRatios(times[wide.i], times[narrow.i]);
                    ratios.Add($"{wide.v.Label}/{narrow.v.Label} {Spread(q)}");
                    if (q.Median > 1.03)
                        inversions.Add($"{wide.v.Label} slower than {narrow.v.Label} by {100 * (q.Median - 1):F0} %");
                }
        }
        foreach (var v in variants.Where(v => v.Build == "this"))
            if (variants.FindIndex(b => b.Build == "base" && b.Width == v.Width) is int j and >= 0)
                ratios.Add($"{v.Label} this/base {Spread(RoundRatios(times[variants.IndexOf(v)], times[j]))}");
        Console.WriteLine($"time ratios per round, median [min–max]: {string.Join("; ", ratios)}");
        Console.WriteLine(inversions.Count == 0
            ? $"{name}: no inversion (no wider path slower than a narrower one by more than 3 %)"
            : $"{name}: INVERSION: {string.Join("; ", inversions)}");
    }

    private static (double Median, double Min, double Max) RoundRatios(List<double> a, List<double> b)
    {
        var r = a.Zip(b, (x, y) => x / y).ToArray();
        var t = Timing.Summarize(r);
        return (t.Median, t.Min, t.Max);
    }

    private static string Spread((double Median, double Min, double Max) q) =>
        string.Create(CultureInfo.InvariantCulture, $"{q.Median:F3} [{q.Min:F3}–{q.Max:F3}]");

    private static string Short(VectorWidth w) => w switch
    {
        VectorWidth.W512 => "512",
        VectorWidth.W256 => "256",
        VectorWidth.W128 => "128",
        _ => "scalar",
    };

    /// <summary>The widths to run: the given list (e.g. "512,256"), or every width this process accelerates.</summary>
    private static VectorWidth[] ParseWidths(string? list)
    {
        var all = new[] { VectorWidth.W512, VectorWidth.W256, VectorWidth.W128 };
        if (list == null) return all.Where(VectorPaths.IsAccelerated).ToArray();
        var chosen = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => all.FirstOrDefault(w => Short(w) == s, VectorWidth.Scalar) is var w && (w != VectorWidth.Scalar || s == "scalar") ? w
                : throw new ArgumentException($"widths: --widths '{list}': '{s}' is not a width. Give a comma-separated list of 512, 256, 128, scalar."))
            .ToArray();
        if (chosen.FirstOrDefault(w => !VectorPaths.IsAccelerated(w), VectorWidth.Scalar) is var missing && missing != VectorWidth.Scalar)
            throw new ArgumentException($"widths: {Short(missing)}-bit vectors are not accelerated here ({VectorPaths.Describe()}); leave them out of --widths.");
        return chosen;
    }

    /// <summary>One worker process, asked one command at a time; every wait is bounded by the timeout.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly Process _process;
        private readonly Variant _variant;
        private readonly int _timeout;
        private readonly System.Text.StringBuilder _stderr = new();

        private Worker(Process process, Variant variant, int timeout)
        {
            _process = process;
            _variant = variant;
            _timeout = timeout;
        }

        public static Worker Start(Variant v, int threads, int timeout)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(v.Dll);
            foreach (var a in new[] { "widths-worker", "--threads", threads.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
            // The runtime's knobs (both spellings: DOTNET_EnableAVX512F up to .NET 9, DOTNET_EnableAVX512 from .NET 10).
            foreach (var knob in new[] { "DOTNET_EnableAVX512F", "DOTNET_EnableAVX512", "DOTNET_EnableAVX2", "DOTNET_EnableHWIntrinsic" })
                psi.Environment.Remove(knob);
            if (v.Width <= VectorWidth.W256) { psi.Environment["DOTNET_EnableAVX512F"] = "0"; psi.Environment["DOTNET_EnableAVX512"] = "0"; }
            if (v.Width <= VectorWidth.W128) psi.Environment["DOTNET_EnableAVX2"] = "0";
            if (v.Width == VectorWidth.Scalar) psi.Environment["DOTNET_EnableHWIntrinsic"] = "0";
            Process p;
            try { p = Process.Start(psi)!; }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"widths: could not start 'dotnet {v.Dll}': {e.Message}. Is dotnet on PATH?");
            }
            var worker = new Worker(p, v, timeout);
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (worker._stderr) worker._stderr.AppendLine(e.Data); };
            p.BeginErrorReadLine();
            string ready = worker.ReadUntil("ready ");
            if (ready != v.Width.ToString())
                throw new InvalidOperationException($"widths: the {v.Label} worker runs {ready} kernels, not {v.Width}: the runtime ignored the knobs (DOTNET_EnableAVX512/AVX2), or the kernels' width is set by DEEPSHARP_* or code.");
            return worker;
        }

        /// <summary>Sends a workload command and returns the answer after <c>result NAME</c>.</summary>
        public string Ask(string command)
        {
            _process.StandardInput.WriteLine(command);
            _process.StandardInput.Flush();
            string answer = ReadUntil("result ");
            return answer[(answer.IndexOf(' ') + 1)..];
        }

        public void Release()
        {
            _process.StandardInput.WriteLine("release");
            _process.StandardInput.Flush();
            ReadUntil("released");
        }

        /// <summary>Reads lines until one starts with <paramref name="prefix"/>; returns the rest of it.</summary>
        private string ReadUntil(string prefix)
        {
            var deadline = DateTime.UtcNow.AddSeconds(_timeout);
            while (true)
            {
                var read = _process.StandardOutput.ReadLineAsync();
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !read.Wait(left))
                    throw new TimeoutException($"widths: the {_variant.Label} worker gave no '{prefix.Trim()}' line within {_timeout} s (--timeout S). Its stderr: {Tail()}");
                string? line = read.Result;
                if (line == null)
                    throw new InvalidOperationException($"widths: the {_variant.Label} worker ended before its '{prefix.Trim()}' line. Its stderr: {Tail()}");
                if (line.StartsWith("error ", StringComparison.Ordinal))
                    throw new InvalidOperationException($"widths: the {_variant.Label} worker: {line[6..]}");
                if (line.StartsWith(prefix, StringComparison.Ordinal)) return line[prefix.Length..].Trim();
            }
        }

        private string Tail()
        {
            lock (_stderr) return Peers.LastLines(_stderr.ToString(), 5);
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.StandardInput.WriteLine("quit");
                    _process.StandardInput.Flush();
                    if (!_process.WaitForExit(10_000)) _process.Kill(entireProcessTree: true);
                }
            }
            catch (IOException) { _process.Kill(entireProcessTree: true); }
            _process.Dispose();
        }
    }
}
