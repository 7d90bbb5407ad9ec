using DeepSharp.Data;

namespace DeepSharp.Worlds;

/// <summary>
/// A batch generator that can give one rank its share of every batch itself (reading only that share), as Fit's
/// arrays and DeepSharp.Vision's iterators do, when Fit runs in a world of several ranks (DeepSharp.Distributed).
/// Other generators are sharded by Fit itself, which reads each whole batch and keeps this rank's rows.
/// </summary>
/// <example><code>
/// public sealed class MyBatches : IShardable
/// {
///     public int ShardSeed => _seed;
///     public void Shard(int rank, int size, int seed) { (_rank, _size, _seed) = (rank, size, seed); }
///     public int GlobalBatchCount => _lastGlobalCount;
///     // Next(): read rows [n·rank/size, n·(rank+1)/size) of the batch of n, shuffled with _seed
/// }
/// </code></example>
public interface IShardable : IBatchGenerator
{
    /// <summary>The seed of the generator's shuffling (and augmentation): rank 0's is given to every rank.</summary>
    int ShardSeed { get; }

    /// <summary>
    /// From now on, every batch holds only rows [n·rank/size, n·(rank+1)/size) of the batch of n the generator would
    /// yield in a world of one, with <paramref name="seed"/> as its shuffling seed (the same on every rank).
    /// </summary>
    void Shard(int rank, int size, int seed);

    /// <summary>The number of rows of the whole (all ranks) batch the last Next returned a share of.</summary>
    int GlobalBatchCount { get; }
}
