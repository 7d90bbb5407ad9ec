using System.Collections.Concurrent;

namespace DeepSharp.Data;

/// <summary>
/// <c>batch</c>: copies consecutive elements into (n, ...) tensors. The batch buffers come from a pool kept by this
/// stage: a buffer goes back to the pool only when the final consumer releases it (<see cref="BufferLease"/>), so Fit's
/// steady state allocates no batch memory, and a batch read by <c>foreach</c> (never released) is never overwritten.
/// </summary>
internal sealed class BatchDataset(Dataset input, int batchSize, bool dropRemainder) : Dataset
{
    private readonly ConcurrentQueue<BufferLease> _pool = new();
    private int Size => batchSize;
    private bool DropRemainder => dropRemainder;

    public override long Cardinality => input.Cardinality switch
    {
        < 0 and var c => c,
        var n => dropRemainder ? n / batchSize : (n + batchSize - 1) / batchSize,
    };

    internal override long Samples => input.Samples < 0 ? -1 : dropRemainder ? input.Samples / batchSize * batchSize : input.Samples;
    internal override bool IsBatched => true;

    internal override DatasetIterator CreateIterator() => new Iterator(this, input.CreateIterator());

    private sealed class Iterator(BatchDataset owner, DatasetIterator upstream) : DatasetIterator
    {
        private long _batch;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            element = default;
            if (!upstream.MoveNext(cancellationToken, out var first)) return false;
            int b = owner.Size;
            if (!owner._pool.TryDequeue(out var lease)) lease = new BufferLease(owner._pool);
            lease.Rent();
            var xShape = first.X.Shape.ToArray();
            var yShape = first.Y?.Shape.ToArray();
            var x = Tensor.Ensure(ref lease.X, b, xShape);
            Tensor? y = yShape is null ? null : Tensor.Ensure(ref lease.Y, b, yShape);
            int n = 0;
            var e = first;
            while (true)
            {
                if (!e.X.Shape.SequenceEqual(xShape) || (e.Y is null) != (yShape is null) || (e.Y is not null && !e.Y.Shape.SequenceEqual(yShape)))
                {
                    lease.Release();
                    throw new DatasetException($"Dataset.Batch: element {n} of batch {_batch} has input shape {Tensor.FormatShape(e.X.Shape)}" +
                        $" and target shape {(e.Y is null ? "none" : Tensor.FormatShape(e.Y.Shape))}, but the batch's first element has {Tensor.FormatShape(xShape)}" +
                        $" and {(yShape is null ? "none" : Tensor.FormatShape(yShape))}. Elements of one batch need one shape: resize them first (Map), or batch with batchSize 1.", n);
                }
                int xs = e.X.Size;
                e.X.Span.CopyTo(x.Data.AsSpan(n * xs, xs));
                if (y is not null) { int ys = e.Y!.Size; e.Y.Span.CopyTo(y.Data.AsSpan(n * ys, ys)); }
                e.Lease?.Release();   // copied: the element's own buffer (a nested batch) is free again
                if (++n == b || !upstream.MoveNext(cancellationToken, out e)) break;
            }
            _batch++;
            if (n < b && owner.DropRemainder) { lease.Release(); return false; }
            Tensor.Ensure(ref lease.X, n, xShape);   // the last batch: a smaller shape over the same storage
            if (y is not null) Tensor.Ensure(ref lease.Y, n, yShape!);
            element = new Element(lease.X!, lease.Y is null || yShape is null ? null : lease.Y, lease);
            return true;
        }

        public override void Dispose() => upstream.Dispose();
    }
}

/// <summary><c>unbatch</c>: one element per row of each element (rows are copied, so the batch buffer is released at once).</summary>
internal sealed class UnbatchDataset(Dataset input) : Dataset
{
    public override long Cardinality => input.Cardinality < 0 ? input.Cardinality : input.IsBatched && input.Samples >= 0 ? input.Samples : UnknownCardinality;
    internal override long Samples => input.IsBatched ? input.Samples : -1;

    internal override DatasetIterator CreateIterator() => new Iterator(input.CreateIterator());

    private sealed class Iterator(DatasetIterator upstream) : DatasetIterator
    {
        private Tensor? _x, _y;
        private int _row, _rows;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            while (_row >= _rows)
            {
                if (!upstream.MoveNext(cancellationToken, out var e)) { element = default; return false; }
                if (e.X.Rank == 0 || (e.Y is not null && (e.Y.Rank == 0 || e.Y.Dim(0) != e.X.Dim(0))))
                    throw new DatasetException($"Dataset.Unbatch: an element has input shape {Tensor.FormatShape(e.X.Shape)} and target shape " +
                        $"{(e.Y is null ? "none" : Tensor.FormatShape(e.Y.Shape))}; unbatching needs a first axis of the same size on both.");
                // Copy the batch out before its buffer may be reused.
                _x = e.X.Clone();
                _y = e.Y?.Clone();
                e.Lease?.Release();
                _row = 0;
                _rows = e.X.Dim(0);
            }
            element = new Element(Row(_x!, _row), _y is null ? null : Row(_y, _row));
            _row++;
            return true;
        }

        private static Tensor Row(Tensor t, int row)
        {
            var r = new Tensor(t.Shape[1..].ToArray());
            t.Span.Slice(row * r.Size, r.Size).CopyTo(r.Span);
            return r;
        }

        public override void Dispose() => upstream.Dispose();
    }
}
