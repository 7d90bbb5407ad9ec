namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Runs an optimizer's elementwise update over [0, length) in ranges: on the calling thread for small
/// weights, split across <see cref="Workers"/> for large ones (a 6272×512 dense kernel streams 60 MB).
/// Range boundaries fall on multiples of 16 so that each range's vector loop covers whole vectors.
/// </summary>
internal static class UpdateLoop
{
    /// <summary>Values below which the update runs on the calling thread.</summary>
    private const int ParallelMin = 1 << 17;

    public static void Run(int length, Action<int, int> range)
    {
        int tasks = Math.Clamp(length / ParallelMin, 1, Workers.ThreadCount);
        if (tasks <= 1) { range(0, length); return; }
        int per = ((length + tasks - 1) / tasks + 15) / 16 * 16;
        Workers.For(tasks, t => range(Math.Min(length, t * per), Math.Min(length, (t + 1) * per)));
    }
}
