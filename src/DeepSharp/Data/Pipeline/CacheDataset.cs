namespace DeepSharp.Data;

/// <summary>
/// <c>cache(filename)</c>: the first pass that runs to its end is kept (in memory, or in a file written under a temporary
/// name and renamed at the end of that pass) and later passes replay it. A pass that stops early keeps nothing. With a
/// file, an existing cache file is read instead of the input, as tf.data does.
/// </summary>
internal sealed class CacheDataset(Dataset input, string? path) : Dataset
{
    private volatile Element[]? _memory;

    public override long Cardinality => _memory?.Length ?? (path is not null && File.Exists(path) ? CacheFile.Count(path) : input.Cardinality);
    internal override long Samples => input.Samples;
    internal override bool IsBatched => input.IsBatched;

    internal override DatasetIterator CreateIterator()
    {
        if (path is null)
            return _memory is { } kept ? new Replay(kept) : new Recorder(this, input.CreateIterator(), null);
        if (File.Exists(path)) return new CacheFile.Reader(path);
        return new Recorder(this, input.CreateIterator(), new CacheFile.Writer(path));
    }

    private sealed class Replay(Element[] elements) : DatasetIterator
    {
        private int _i;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_i >= elements.Length) { element = default; return false; }
            element = elements[_i++];
            return true;
        }
    }

    private sealed class Recorder(CacheDataset owner, DatasetIterator upstream, CacheFile.Writer? file) : DatasetIterator
    {
        private List<Element>? _kept = file is null ? new() : null;
        private bool _done;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            if (_done) { element = default; return false; }
            if (!upstream.MoveNext(cancellationToken, out element))
            {
                _done = true;
                if (_kept is not null) owner._memory ??= _kept.ToArray();
                file?.Commit();
                return false;
            }
            // The kept tensors are handed out again later: they must never go back to a batch pool.
            element = element.WithoutLease();
            _kept?.Add(element);
            file?.Append(element);
            return true;
        }

        public override void Dispose()
        {
            file?.Dispose();   // deletes the temporary file unless the pass was complete
            _kept = null;
            upstream.Dispose();
        }
    }
}
