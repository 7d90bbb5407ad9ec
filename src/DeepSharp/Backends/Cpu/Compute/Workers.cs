using System.Diagnostics;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Runs loops on all cores with a persistent pool: (ThreadCount - 1) background threads plus the calling thread.
/// Idle workers spin briefly, then sleep, so dispatching a small loop costs microseconds, not a task start-up.
/// The thread count is <see cref="Backends.Cpu.CpuBackendOptions.Threads"/> (read at each loop).
/// </summary>
/// <example>
/// <code>
/// var sums = new float[rows];
/// Workers.For(rows, i => sums[i] = RowSum(i));   // rows split across the threads
/// </code>
/// </example>
internal static class Workers
{
    /// <summary>How long an idle worker spins for the next loop before it blocks.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs

    private static readonly object Gate = new();      // workers sleep on it
    private static readonly object DispatchLock = new();
    private static readonly List<Thread> Pool = new();
    private static Job? _current;                     // the loop being run, or the last one
    private static int _sleepers;

    [ThreadStatic] private static bool _isWorker;      // true on pool threads and inside a dispatched loop

    /// <summary>True inside a running loop's body (on any of its threads): a loop started there runs inline.</summary>
    public static bool InsideLoop => _isWorker;

    /// <summary>How many threads the kernels use.</summary>
    public static int ThreadCount => Backends.Cpu.CpuBackend.Settings.Threads;

    /// <summary>Sets how many threads the kernels use (1 = single-threaded).</summary>
    /// <example><code>Workers.SetThreadCount(1); // deterministic single-core timing</code></example>
    public static void SetThreadCount(int threads) => Backends.Cpu.CpuBackend.Settings.Threads = threads;

    /// <summary>
    /// Runs body(i) for every i in [0, count), split across the threads, and returns when all are done.
    /// Calls from inside a running loop (nested) and loops of one item run inline on the calling thread.
    /// The first exception thrown by a body is rethrown here after the loop ends.
    /// </summary>
    /// <example><code>Workers.For(4, block => ProcessBlock(block));</code></example>
    public static void For(int count, Action<int> body)
    {
        if (count <= 0) return;
        int threads = Math.Min(ThreadCount, count);
        if (threads <= 1 || _isWorker || !Monitor.TryEnter(DispatchLock))
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        try
        {
            EnsurePool(threads - 1);
            var job = new Job(body, count, threads - 1);
            Interlocked.Exchange(ref _current, job);
            if (Volatile.Read(ref _sleepers) > 0)
                lock (Gate) Monitor.PulseAll(Gate);
            _isWorker = true;
            try { job.RunItems(); }
            finally { _isWorker = false; }
            job.WaitUntilDone();
            if (job.Error != null)
                throw new AggregateException("A Workers.For loop body threw an exception.", job.Error);
        }
        finally
        {
            Monitor.Exit(DispatchLock);
        }
    }

    private static void EnsurePool(int workers)
    {
        while (Pool.Count < workers)
        {
            int index = Pool.Count;
            var t = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"DeepSharp worker {index + 1}" };
            Pool.Add(t);
            t.Start();
        }
    }

    private static void WorkerLoop(int index)
    {
        _isWorker = true;
        Job? seen = Volatile.Read(ref _current);
        while (true)
        {
            Job job = WaitForJob(seen);
            seen = job;
            if (index < job.Helpers) job.RunItems();
        }
    }

    private static Job WaitForJob(Job? seen)
    {
        long start = Stopwatch.GetTimestamp();
        var spin = new SpinWait();
        while (Stopwatch.GetTimestamp() - start < SpinTicks)
        {
            var job = Volatile.Read(ref _current);
            if (job != seen) return job!;
            spin.SpinOnce(sleep1Threshold: -1);
        }
        Interlocked.Increment(ref _sleepers);
        try
        {
            lock (Gate)
            {
                while (true)
                {
                    var job = Volatile.Read(ref _current);
                    if (job != seen) return job!;
                    Monitor.Wait(Gate);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _sleepers);
        }
    }

    /// <summary>One loop: its items are claimed one at a time by the caller and the helpers.</summary>
    private sealed class Job(Action<int> body, int count, int helpers)
    {
        private int _next = -1;
        private int _done;
        public readonly int Helpers = helpers;
        public Exception? Error;

        public void RunItems()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < count)
            {
                try { body(i); }
                catch (Exception e) { Interlocked.CompareExchange(ref Error, e, null); }
                Interlocked.Increment(ref _done);
            }
        }

        public void WaitUntilDone()
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) < count) spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
