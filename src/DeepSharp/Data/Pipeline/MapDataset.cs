using System.Runtime.ExceptionServices;

namespace DeepSharp.Data;

/// <summary>
/// <c>map</c>, sequential or with <c>num_parallel_calls</c>: the upstream is read on the reader's thread (it is cheap:
/// paths, indices, a shuffle buffer) and up to <c>parallelism</c> calls run at once on the thread pool; elements come
/// out in input order (tf's deterministic=True).
/// </summary>
internal sealed class MapDataset(Dataset input, Func<Element, long, Element> function, int parallelism, bool wrapErrors) : Dataset
{
    public override long Cardinality => input.Cardinality;
    internal override long Samples => input.Samples;
    internal override bool IsBatched => input.IsBatched;   // a map of batches keeps their rows (the usual case)

    internal override DatasetIterator CreateIterator() => new Iterator(input.CreateIterator(), function, parallelism, wrapErrors);

    private sealed class Iterator(DatasetIterator upstream, Func<Element, long, Element> function, int parallelism, bool wrapErrors) : DatasetIterator
    {
        private readonly Queue<Task<Element>> _running = new();
        private long _index;        // the next input element's index
        private bool _upstreamDone;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            if (parallelism == 1)
            {
                if (!upstream.MoveNext(cancellationToken, out var input)) { element = default; return false; }
                element = Apply(input, _index++);
                return true;
            }
            // Keep `parallelism` calls in flight, then hand out the oldest when it is done.
            while (!_upstreamDone && _running.Count < parallelism)
            {
                if (!upstream.MoveNext(cancellationToken, out var input)) { _upstreamDone = true; break; }
                long index = _index++;
                _running.Enqueue(Task.Run(() => Apply(input, index), CancellationToken.None));
            }
            if (_running.Count == 0) { element = default; return false; }
            var task = _running.Peek();
            try { task.Wait(cancellationToken); }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                _running.Dequeue();
                ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
            }
            _running.Dequeue();
            element = task.Result;
            return true;
        }

        private Element Apply(Element input, long index)
        {
            Element output;
            try { output = function(input.WithoutLease(), index); }
            catch (Exception e) when (wrapErrors && e is not (DatasetException or OperationCanceledException or IFileError))
            {
                throw new DatasetException($"Dataset.Map: the function failed on element {index}: {e.Message}", index, e);
            }
            if (output.X is null)
                throw new DatasetException($"Dataset.Map: the function returned no input tensor (null) for element {index}. Return a tensor for x.", index);
            return output;
        }

        public override void Dispose()
        {
            // Calls still running finish on the thread pool (a map function cannot be stopped); their results are dropped.
            _running.Clear();
            upstream.Dispose();
        }
    }
}
