namespace DeepSharp;

/// <summary>Settings of <see cref="Distributed.Initialize(DistributedOptions?)"/>.</summary>
public sealed record DistributedOptions
{
    /// <summary>
    /// How long one collective operation (a gradient all-reduce, a broadcast) may wait for the other ranks before the
    /// job ends with an error naming the missing ranks. Default 5 minutes: longer than any step, and than the time
    /// one rank may spend loading data before the others (they wait for it in the first broadcast).
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// When true (default), each rank's kernels use its share of its machine's cores (cores / ranks on the machine),
    /// unless <c>DEEPSHARP_THREADS</c> is set: ranks on one host that each use every core run many times slower.
    /// </summary>
    public bool ShareCores { get; init; } = true;
}
