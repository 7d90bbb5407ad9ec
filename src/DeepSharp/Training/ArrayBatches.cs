using DeepSharp.Data;
using DeepSharp.Worlds;

namespace DeepSharp.Training;

/// <summary>
/// Batches over in-memory arrays, for <c>Fit(x, y)</c>: gathers (optionally shuffled) rows into two
/// reusable buffers, so an epoch allocates nothing. Rows [start, start+count) of x and y are used.
/// Sharded (a world of several ranks), each batch gathers only this rank's share of the rows.
/// </summary>
internal sealed class ArrayBatches : IShardable
{
    private readonly Tensor _x;
    private readonly Tensor? _y;
    private readonly int _start, _batchSize;
    private readonly bool _shuffle;
    private System.Random _random;
    private int _rank, _size = 1;
    private readonly int[] _order;
    private Tensor? _xb, _yb;
    private int _position;

    public ArrayBatches(Tensor x, Tensor? y, int start, int count, int batchSize, bool shuffle, System.Random random)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be positive, got {batchSize}.");
        _x = x; _y = y; _start = start; _batchSize = batchSize; _shuffle = shuffle; _random = random;
        _order = Enumerable.Range(start, count).ToArray();
        SampleCount = count;
        Reset();
    }

    public int SampleCount { get; }
    public int GlobalBatchCount { get; private set; }

    /// <summary>A seed for the shared shuffling order, drawn from this generator's random source (only when sharded).</summary>
    public int ShardSeed => _shardSeed ??= _random.Next();
    private int? _shardSeed;

    public void Shard(int rank, int size, int seed)
    {
        _rank = rank;
        _size = size;
        _random = new System.Random(seed);
        _position = 0;
        for (int i = 0; i < _order.Length; i++) _order[i] = _start + i;   // the same starting order on every rank
        if (_shuffle) Rng.Shuffle(_random, _order);
    }
    public int StepsPerEpoch => (SampleCount + _batchSize - 1) / _batchSize;

    public void Reset()
    {
        _position = 0;
        if (_shuffle) Rng.Shuffle(_random, _order);
    }

    public (Tensor X, Tensor? Y) Next()
    {
        if (_position >= SampleCount) Reset();
        int n = Math.Min(_batchSize, SampleCount - _position);
        GlobalBatchCount = n;
        var (lo, hi) = ShardedBatches.Share(n, _rank, _size);
        var idx = _order.AsSpan(_position + lo, hi - lo);
        _position += n;
        n = hi - lo;
        Tensor.GatherRows(_x, idx, Tensor.Ensure(ref _xb, n, _x.Shape[1..]));
        if (_y is null) return (_xb!, null);
        Tensor.GatherRows(_y, idx, Tensor.Ensure(ref _yb, n, _y.Shape[1..]));
        return (_xb!, _yb);
    }
}
