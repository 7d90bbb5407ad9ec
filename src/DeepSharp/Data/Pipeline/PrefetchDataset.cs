using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace DeepSharp.Data;

/// <summary>
/// <c>prefetch(buffer_size)</c>: a background thread reads the stages before it into a bounded queue. The reader's wait
/// ends at once on cancellation; an exception of the thread is queued after the elements read before it and thrown on the
/// reader's thread (with its original stack). Disposing the pass stops the thread (bounded wait: a stage stuck in user
/// code is left to finish on its own, as a background thread).
/// </summary>
internal sealed class PrefetchDataset(Dataset input, int bufferSize) : Dataset
{
    /// <summary>How long Dispose waits for the thread to stop after cancelling it.</summary>
    internal static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);

    public override long Cardinality => input.Cardinality;
    internal override long Samples => input.Samples;
    internal override bool IsBatched => input.IsBatched;

    internal override DatasetIterator CreateIterator() => new Iterator(input.CreateIterator(), bufferSize);

    private readonly record struct Item(Element Element, ExceptionDispatchInfo? Error, bool End);

    private sealed class Iterator : DatasetIterator
    {
        private readonly DatasetIterator _upstream;
        private readonly BlockingCollection<Item> _queue;
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private ExceptionDispatchInfo? _fault;
        private bool _ended;

        public Iterator(DatasetIterator upstream, int bufferSize)
        {
            _upstream = upstream;
            _queue = new BlockingCollection<Item>(bufferSize);
            _thread = new Thread(Produce) { IsBackground = true, Name = "DeepSharp dataset prefetch" };
            _thread.Start();
        }

        private void Produce()
        {
            var token = _stop.Token;
            try
            {
                while (true)
                {
                    Item item;
                    try
                    {
                        item = _upstream.MoveNext(token, out var e) ? new Item(e, null, false) : new Item(default, null, true);
                    }
                    catch (OperationCanceledException) when (token.IsCancellationRequested) { return; }
                    catch (Exception e)
                    {
                        item = new Item(default, ExceptionDispatchInfo.Capture(e), true);
                    }
                    _queue.Add(item, token);
                    if (item.End) return;
                }
            }
            catch (OperationCanceledException) { }   // the pass was abandoned while the queue was full
            catch (ObjectDisposedException) { }
        }

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            element = default;
            _fault?.Throw();
            if (_ended) return false;
            var item = _queue.Take(cancellationToken);
            if (item.Error is not null)
            {
                _fault = item.Error;
                item.Error.Throw();
            }
            if (item.End) { _ended = true; return false; }
            element = item.Element;
            return true;
        }

        public override void Dispose()
        {
            _stop.Cancel();
            if (_thread.Join(StopWait))
            {
                _upstream.Dispose();
                _queue.Dispose();
                _stop.Dispose();
            }
            // else: the thread is inside a stage that ignores cancellation; it ends when that call returns (background thread).
        }
    }
}
