namespace DeepSharp.Bench;

/// <summary>
/// A snapshot of what memory management costs: minor page faults (from /proc/self/stat, Linux only),
/// GC collections per generation and bytes allocated. Subtract two snapshots to get what happened between them.
/// </summary>
/// <example>
/// <code>
/// var before = ProcessCounters.Now();
/// RunEpoch();
/// var used = ProcessCounters.Now() - before;   // used.MinorFaults, used.Gen0, used.AllocatedBytes
/// </code>
/// </example>
public readonly record struct ProcessCounters(long MinorFaults, int Gen0, int Gen1, int Gen2, long AllocatedBytes)
{
    public static ProcessCounters Now() => new(ReadMinorFaults(), GC.CollectionCount(0), GC.CollectionCount(1),
        GC.CollectionCount(2), GC.GetTotalAllocatedBytes(precise: false));

    public static ProcessCounters operator -(ProcessCounters a, ProcessCounters b) =>
        new(a.MinorFaults - b.MinorFaults, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.AllocatedBytes - b.AllocatedBytes);

    /// <summary>"faults 12, GC 0/0/0, alloc 1.2 MB".</summary>
    public override string ToString() =>
        $"faults {MinorFaults}, GC {Gen0}/{Gen1}/{Gen2}, alloc {ResultTable.Bytes(AllocatedBytes)}";

    /// <summary>Field 10 of /proc/self/stat (minflt), or -1 where there is no /proc.</summary>
    public static long ReadMinorFaults()
    {
        try
        {
            string stat = File.ReadAllText("/proc/self/stat");
            // The command name (field 2) is in parentheses and may contain spaces: split after it.
            string rest = stat[(stat.LastIndexOf(')') + 2)..];
            string[] fields = rest.Split(' ');
            return long.Parse(fields[7]); // fields[0] is field 3 (state), so field 10 is fields[7]
        }
        catch (IOException) { return -1; }
        catch (UnauthorizedAccessException) { return -1; }
    }
}
