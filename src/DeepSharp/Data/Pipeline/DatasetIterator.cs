namespace DeepSharp.Data;

/// <summary>One element of a dataset: inputs, optional targets, and (for a reusable batch buffer) the lease that hands
/// the buffer back to the stage that owns it once the final consumer is done with it.</summary>
internal readonly record struct Element(Tensor X, Tensor? Y, BufferLease? Lease = null)
{
    public Element WithoutLease() => new(X, Y);
}

/// <summary>
/// One pass over a dataset. <see cref="MoveNext"/> is called from one thread at a time (the stage below it, or the
/// consumer). Dispose stops any background work of the stage and of the stages it reads from.
/// </summary>
internal abstract class DatasetIterator : IDisposable
{
    /// <summary>The next element, or false at the end of the pass. Throws <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> is cancelled, also while waiting.</summary>
    public abstract bool MoveNext(CancellationToken cancellationToken, out Element element);

    public virtual void Dispose() { }
}

/// <summary>
/// A batch buffer (inputs and targets) owned by a <see cref="BatchDataset"/> pass. Only the final consumer (Fit,
/// Evaluate and Predict through <see cref="IBatchGenerator"/>, which promise that a batch stays valid only until the next
/// call) releases it; a stage that keeps elements (Cache) or hands them to user code (Map) drops the lease instead, and
/// the buffer is then simply never reused. So steady-state batching allocates nothing and no buffer is ever overwritten
/// while someone may still read it.
/// </summary>
internal sealed class BufferLease
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<BufferLease> _pool;
    private int _released;
    public Tensor? X, Y;

    public BufferLease(System.Collections.Concurrent.ConcurrentQueue<BufferLease> pool) => _pool = pool;

    /// <summary>Marks the buffer in use again (taken from the pool).</summary>
    public void Rent() => Volatile.Write(ref _released, 0);

    /// <summary>Hands the buffer back (once; a second release is ignored).</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _pool.Enqueue(this);
    }
}
