namespace DeepSharp.Bench;

/// <summary>
/// A snapshot of what memory management costs: minor page faults (getrusage, Linux only),
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
    public static ProcessCounters Now()
    {
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        return new(ReadMinorFaults(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), allocated);
    }

    public static ProcessCounters operator -(ProcessCounters a, ProcessCounters b) =>
        new(a.MinorFaults - b.MinorFaults, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.AllocatedBytes - b.AllocatedBytes);

    /// <summary>"faults 12, GC 0/0/0, alloc 1.2 MB".</summary>
    public override string ToString() =>
        $"faults {MinorFaults}, GC {Gen0}/{Gen1}/{Gen2}, alloc {ResultTable.Bytes(AllocatedBytes)}";

    /// <summary>
    /// Minor page faults of the whole process so far (getrusage's ru_minflt, the same count as field 10
    /// of /proc/self/stat), or -1 where libc's getrusage is missing. Allocates nothing, so it can sit
    /// next to the allocation counter.
    /// </summary>
    public static unsafe long ReadMinorFaults()
    {
        if (!OperatingSystem.IsLinux()) return -1;
        try
        {
            long* usage = stackalloc long[18]; // struct rusage on 64-bit Linux: 2 timevals + 14 longs
            if (GetRUsage(0 /* RUSAGE_SELF */, usage) != 0) return -1;
            return usage[4 + 4]; // after ru_utime, ru_stime (2 longs each): maxrss, ixrss, idrss, isrss, minflt
        }
        catch (DllNotFoundException) { return -1; }
        catch (EntryPointNotFoundException) { return -1; }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    private static extern unsafe int GetRUsage(int who, long* usage);
}
