using System.Runtime.ExceptionServices;

namespace DeepSharp.Data;

/// <summary>
/// <c>map</c>, sequential or with <c>num_parallel_calls</c>: the upstream is read on the reader's thread (it is cheap:
/// paths, indices, a shuffle buffer) and up to <c>parallelism</c> calls run at once on the thread pool, with four times
/// as many queued (measured with <c>bench -- pipeline</c> on 2 cores: exactly <c>parallelism</c> in flight left a core idle
/// whenever a call finished before the oldest one, and decoding ran 11-15 % slower than ImageDataGenerator's
/// Parallel.For; queued, it is faster); elements come out in input order (tf's deterministic=True).
/// </summary>
internal sealed class MapDataset(Dataset input, Func<Element, long, Element> function, int parallelism, bool wrapErrors) : Dataset
{
    public override long Cardinality => input.Cardinality;
    internal override long Samples => input.Samples;
    internal override bool IsBatched => input.IsBatched;   // a map of batches keeps their rows (the usual case)

    internal override DatasetIterator CreateIterator() => new Iterator(input.CreateIterator(), function, parallelism, wrapErrors);

    private sealed class Iterator(DatasetIterator upstream, Func<Element, long, Element> function, int parallelism, bool wrapErrors) : DatasetIterator
    {
        // At most `parallelism` calls run at once (the scheduler's cap), but up to InFlightPerCall times as many are queued,
        // so that a call finished out of order does not leave a core idle while the oldest one is still running.
        private const int InFlightPerCall = 4;
        private readonly TaskFactory _factory = new(new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, parallelism).ConcurrentScheduler);
        private readonly CancellationTokenSource _disposed = new();   // calls queued but not started when the pass ends are dropped
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
            // Keep InFlightPerCall × parallelism calls queued, then hand out the oldest when it is done.
            while (!_upstreamDone && _running.Count < parallelism * InFlightPerCall)
            {
                if (!upstream.MoveNext(cancellationToken, out var input)) { _upstreamDone = true; break; }
                long index = _index++;
                _running.Enqueue(_factory.StartNew(() => Apply(input, index), _disposed.Token));
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
            _disposed.Cancel();
            _running.Clear();
            upstream.Dispose();
        }
    }
}
