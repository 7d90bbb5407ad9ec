namespace DeepSharp.Data;

/// <summary>
/// <c>shuffle(buffer_size, seed, reshuffle_each_iteration)</c>, tf's algorithm: fill a buffer with the first elements,
/// then hand out a uniformly drawn buffer slot and refill it with the next element; at the end empty the buffer in random
/// order. Pass k of a dataset draws from a generator seeded with (seed, k) when reshuffling, (seed) otherwise. The draws
/// are not TensorFlow's (its Philox generator), so a seeded order differs from tf.data's; the set of elements does not.
/// </summary>
internal sealed class ShuffleDataset(Dataset input, int bufferSize, int seed, bool reshuffleEachIteration) : Dataset
{
    private int _passes;

    public override long Cardinality => input.Cardinality;
    internal override long Samples => input.Samples;
    internal override bool IsBatched => input.IsBatched;

    internal override DatasetIterator CreateIterator()
    {
        int pass = reshuffleEachIteration ? Interlocked.Increment(ref _passes) - 1 : 0;
        return new Iterator(input.CreateIterator(), bufferSize, new System.Random(MixSeed(seed, pass)));
    }

    /// <summary>A well-mixed seed from (seed, pass) (SplitMix64 finalizer).</summary>
    internal static int MixSeed(int seed, long pass)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(pass + 1) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    private sealed class Iterator(DatasetIterator upstream, int bufferSize, System.Random random) : DatasetIterator
    {
        private readonly List<Element> _buffer = new(Math.Min(bufferSize, 1 << 16));
        private bool _upstreamDone;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            while (!_upstreamDone && _buffer.Count < bufferSize)
            {
                if (upstream.MoveNext(cancellationToken, out var e)) _buffer.Add(e);
                else _upstreamDone = true;
            }
            if (_buffer.Count == 0) { element = default; return false; }
            int i = random.Next(_buffer.Count);
            element = _buffer[i];
            _buffer[i] = _buffer[^1];
            _buffer.RemoveAt(_buffer.Count - 1);
            return true;
        }

        public override void Dispose()
        {
            _buffer.Clear();
            upstream.Dispose();
        }
    }
}
