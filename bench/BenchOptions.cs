using System.Globalization;

namespace DeepSharp.Bench;

/// <summary>
/// The command line after the workload name: <c>--name value</c> pairs and bare <c>--flag</c>s.
/// Workloads read what they need with a default; <see cref="Unused"/> lists what nobody read.
/// </summary>
public sealed class BenchOptions
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public BenchOptions(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending != null) _values[pending] = null;
                pending = arg[2..];
                int eq = pending.IndexOf('=');
                if (eq >= 0)
                {
                    _values[pending[..eq]] = pending[(eq + 1)..];
                    pending = null;
                }
            }
            else if (pending != null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else throw new ArgumentException($"bench: unexpected argument '{arg}'. Options are written --name value.");
        }
        if (pending != null) _values[pending] = null;
    }

    /// <summary>Options given but never read by the workload (probably typos).</summary>
    public IEnumerable<string> Unused => _values.Keys.Where(k => !_read.Contains(k));

    public bool Flag(string name)
    {
        _read.Add(name);
        return _values.ContainsKey(name);
    }

    public string? String(string name, string? fallback = null)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) && v != null ? v : fallback;
    }

    public int Int(string name, int fallback)
    {
        var s = String(name);
        if (s == null) return fallback;
        if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) return v;
        throw new ArgumentException($"bench: option --{name} expects an integer, got '{s}'.");
    }

    /// <summary>The --threads option applied to <see cref="Backends.Cpu.Workers"/> (default: all cores).</summary>
    public int Threads() => Int("threads", Backends.Cpu.Workers.ThreadCount);
}
