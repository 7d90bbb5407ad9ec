using System.Reflection;
using DeepSharp.Bench;

// Usage: dotnet run -c Release --project bench -- <workload> [--option value ...]
// Workloads are the IWorkload classes under bench/Workloads/, found by reflection.
var workloads = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IWorkload).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
    .Select(t => (IWorkload)Activator.CreateInstance(t)!)
    .OrderBy(w => w.Name)
    .ToList();

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: dotnet run -c Release --project bench -- <workload> [--option value ...]");
    Console.WriteLine("common options: --threads N (default: all cores), --save (also write the output to");
    Console.WriteLine("  bench/results/<date>-<workload>-<cpu>-<vector width>.txt), --cpu-time (with --threads 1: time the");
    Console.WriteLine("  thread's CPU time instead of wall time, for comparisons on a loaded machine)");
    Console.WriteLine(MachineInfo.Header);
    foreach (var w in workloads) Console.WriteLine($"  {w.Name,-12} {w.Description}");
    return args.Length == 0 ? 1 : 0;
}

// "all" runs the peers' workloads (minutes) only with --peers, and never the scaling runs (they start mpirun) nor
// widths (child processes; its worker waits for commands on stdin).
bool withPeers = args.Contains("--peers");
var chosen = workloads.Where(w => args[0] == "all"
    ? (!w.Name.StartsWith("peers", StringComparison.Ordinal) || withPeers) && !w.Name.StartsWith("scaling", StringComparison.Ordinal)
      && !w.Name.StartsWith("widths", StringComparison.Ordinal)
    : w.Name.Equals(args[0], StringComparison.OrdinalIgnoreCase)).ToList();
if (chosen.Count == 0)
{
    Console.Error.WriteLine($"bench: no workload named '{args[0]}'. Known: {string.Join(", ", workloads.Select(w => w.Name))}.");
    return 1;
}

try
{
    var options = new BenchOptions(args.Skip(1));
    options.Flag("peers");
    BenchClock.Configure(options);
    TeeWriter? tee = null;
    string? saved = null;
    if (options.Flag("save"))
    {
        // Results are named after the machine so that runs on different CPUs are never compared by mistake.
        string dir = Path.Combine(AppContext.BaseDirectory, "../../../results");
        if (!Directory.Exists(dir)) dir = "bench/results";
        Directory.CreateDirectory(dir);
        saved = Path.GetFullPath(Path.Combine(dir, $"{DateTime.UtcNow:yyyy-MM-dd-HHmm}-{args[0].ToLowerInvariant()}-{MachineInfo.Tag}.txt"));
        tee = new TeeWriter(Console.Out, new StreamWriter(saved + ".tmp"));
        Console.SetOut(tee);
    }
    Console.WriteLine(MachineInfo.Header);
    foreach (var w in chosen)
    {
        Console.WriteLine($"== {w.Name}");
        w.Run(options);
    }
    foreach (var name in options.Unused) Console.Error.WriteLine($"bench: warning: option --{name} was not used by any workload.");
    if (tee != null)
    {
        Console.Out.Flush();
        tee.Dispose();
        File.Move(saved + ".tmp", saved!, overwrite: true);
        Console.SetOut(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true });
        Console.WriteLine($"bench: output saved to {saved}");
    }
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
