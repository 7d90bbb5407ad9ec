using DeepSharp.Data;

namespace DeepSharp.Worlds;

/// <summary>
/// This rank's share of every batch of a generator, for Fit in a world of several ranks: the whole batch of n rows is
/// split into <c>size</c> consecutive parts of n·r/size to n·(r+1)/size rows, so every sample of a batch goes to
/// exactly one rank and the global batch is the user's batch size. Generators that can read only their share
/// (<see cref="IShardable"/>) are told to, after every rank agrees on rank 0's shuffling seed; any other generator is
/// read whole on every rank (it must then yield the same batches on every rank: give it a seed).
/// </summary>
internal sealed class ShardedBatches : IBatchGenerator
{
    private readonly IBatchGenerator _inner;
    private readonly IShardable? _shardable;
    private readonly int _rank, _size;
    private Tensor? _x, _y;

    public ShardedBatches(IBatchGenerator inner, IWorld world)
    {
        _inner = inner;
        _rank = world.Rank;
        _size = world.Size;
        if (inner is IShardable s)
        {
            Span<double> seed = [s.ShardSeed];
            world.Broadcast(seed);
            s.Shard(_rank, _size, (int)seed[0]);
            _shardable = s;
        }
    }

    /// <summary>Rows of the whole batch (all ranks) the last <see cref="Next()"/> returned a share of.</summary>
    public int GlobalBatchCount { get; private set; }

    public int StepsPerEpoch => _inner.StepsPerEpoch;
    public int SampleCount => _inner.SampleCount;
    public void Reset() => _inner.Reset();

    public (Tensor X, Tensor? Y) Next() => Next(CancellationToken.None);

    public (Tensor X, Tensor? Y) Next(CancellationToken cancellationToken)
    {
        var (x, y) = _inner.Next(cancellationToken);
        if (_shardable is not null)
        {
            GlobalBatchCount = _shardable.GlobalBatchCount;
            return (x, y);
        }
        int n = x.Dim(0);
        GlobalBatchCount = n;
        var (lo, hi) = Share(n, _rank, _size);
        return (Rows(x, lo, hi, ref _x), y is null ? null : Rows(y, lo, hi, ref _y));
    }

    /// <summary>Rank <paramref name="rank"/>'s rows of a batch of <paramref name="n"/>: [n·rank/size, n·(rank+1)/size).</summary>
    public static (int Lo, int Hi) Share(int n, int rank, int size) =>
        ((int)((long)n * rank / size), (int)((long)n * (rank + 1) / size));

    private static Tensor Rows(Tensor t, int lo, int hi, ref Tensor? buffer)
    {
        var result = Tensor.Ensure(ref buffer, hi - lo, t.Shape[1..]);
        int row = t.Size / Math.Max(t.Dim(0), 1);
        t.Data.AsSpan(lo * row, (hi - lo) * row).CopyTo(result.Data);
        return result;
    }
}
