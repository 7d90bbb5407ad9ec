namespace DeepSharp.Data;

/// <summary><c>take(count)</c> (count -1: all) and <c>skip(count)</c> (count -1: all skipped).</summary>
internal sealed class TakeSkipDataset(Dataset input, long count, bool take) : Dataset
{
    public override long Cardinality => (input.Cardinality, take) switch
    {
        (InfiniteCardinality, true) => count < 0 ? InfiniteCardinality : count,
        (InfiniteCardinality, false) => count < 0 ? 0 : InfiniteCardinality,
        (UnknownCardinality, _) => UnknownCardinality,
        (var n, true) => count < 0 ? n : Math.Min(n, count),
        (var n, false) => count < 0 ? 0 : Math.Max(0, n - count),
    };

    internal override long Samples =>
        input.IsBatched ? (take && (count < 0 || count >= input.Cardinality) && input.Cardinality >= 0 ? input.Samples : -1)
        : Cardinality >= 0 ? Cardinality : -1;

    internal override bool IsBatched => input.IsBatched;

    internal override DatasetIterator CreateIterator() => new Iterator(input.CreateIterator(), count, take);

    private sealed class Iterator(DatasetIterator upstream, long count, bool take) : DatasetIterator
    {
        private long _seen;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            if (take)
            {
                if (count >= 0 && _seen >= count) { element = default; return false; }
                _seen++;
                return upstream.MoveNext(cancellationToken, out element);
            }
            while (count < 0 || _seen < count)
            {
                if (!upstream.MoveNext(cancellationToken, out var skipped)) { element = default; return false; }
                skipped.Lease?.Release();
                _seen++;
            }
            return upstream.MoveNext(cancellationToken, out element);
        }

        public override void Dispose() => upstream.Dispose();
    }
}

/// <summary><c>repeat(count)</c>: passes of the input one after the other (endless when count is null); a pass that
/// yields nothing ends the repetition (so an empty dataset repeated forever is empty, as in tf.data).</summary>
internal sealed class RepeatDataset(Dataset input, int? count) : Dataset
{
    public override long Cardinality => (input.Cardinality, count) switch
    {
        (0, _) or (_, 0) => 0,
        (_, null) => InfiniteCardinality,
        (< 0 and var c, _) => c,
        (var n, var k) => n * k!.Value,
    };

    internal override long Samples => Cardinality >= 0 && input.Samples >= 0 ? input.Samples * (count ?? 0) : -1;
    internal override bool IsBatched => input.IsBatched;

    internal override DatasetIterator CreateIterator() => new Iterator(input, count);

    private sealed class Iterator(Dataset input, int? count) : DatasetIterator
    {
        private DatasetIterator? _pass;
        private int _passes;
        private bool _passYielded;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            while (true)
            {
                if (_pass is null)
                {
                    if (count is { } k && _passes >= k) { element = default; return false; }
                    _pass = input.CreateIterator();
                    _passes++;
                    _passYielded = false;
                }
                if (_pass.MoveNext(cancellationToken, out element)) { _passYielded = true; return true; }
                _pass.Dispose();
                _pass = null;
                if (!_passYielded) { element = default; return false; }   // an empty pass: nothing to repeat
            }
        }

        public override void Dispose() => _pass?.Dispose();
    }
}
