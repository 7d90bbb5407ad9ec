namespace DeepSharp.Data;

/// <summary><c>from_tensor_slices</c>: row i of x (and y) as element i, copied out when read.</summary>
internal sealed class SliceDataset(Tensor x, Tensor? y) : Dataset
{
    public override long Cardinality => x.Dim(0);
    internal override long Samples => x.Dim(0);

    internal override DatasetIterator CreateIterator() => new Iterator(x, y);

    private sealed class Iterator(Tensor x, Tensor? y) : DatasetIterator
    {
        private int _row;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_row >= x.Dim(0)) { element = default; return false; }
            element = new Element(Row(x, _row), y is null ? null : Row(y, _row));
            _row++;
            return true;
        }

        private static Tensor Row(Tensor t, int row)
        {
            var r = new Tensor(t.Shape[1..].ToArray());
            t.Span.Slice(row * r.Size, r.Size).CopyTo(r.Span);
            return r;
        }
    }
}

/// <summary><c>Dataset.range</c>: the scalars 0 .. count - 1.</summary>
internal sealed class RangeDataset(int count) : Dataset
{
    public override long Cardinality => count;
    internal override long Samples => count;

    internal override DatasetIterator CreateIterator() => new Iterator(count);

    private sealed class Iterator(int count) : DatasetIterator
    {
        private int _i;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_i >= count) { element = default; return false; }
            element = new Element(new Tensor([_i], []), null);
            _i++;
            return true;
        }
    }
}
