namespace DeepSharp.Tests.Fuzz;

/// <summary>
/// The fuzz tests run alone, after the parallel tests: they keep both cores busy for tens of seconds, which would
/// disturb tests that measure per-thread allocations of thread-pool work (TrainStepAllocationTests).
/// </summary>
[CollectionDefinition("Fuzz", DisableParallelization = true)]
public sealed class FuzzCollection;
