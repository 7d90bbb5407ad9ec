using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using DeepSharp.Worlds;

namespace DeepSharp.Mpi;

/// <summary>
/// The MPI world: rank and size of MPI_COMM_WORLD and the collectives Fit needs, each started non-blocking
/// (MPI_Iallreduce, MPI_Ibcast) and polled with MPI_Test until a deadline, so that a rank that dies or hangs ends the
/// job with an error naming it instead of an eternal wait. After a failure, disposing calls MPI_Abort (every rank
/// stops); otherwise MPI_Finalize.
/// </summary>
internal sealed unsafe class MpiWorld : IWorld, IDisposable
{
    private const int ThreadSerialized = 2;     // MPI_THREAD_SERIALIZED: the same value in Open MPI and MPICH
    private const int DiagnosisTag = 31_999;
    private const int MaxPending = 256;

    private readonly MpiLibrary _mpi;
    private readonly TimeSpan _timeout;
    private readonly nint* _requests;            // MPI_Request slots (a pointer in Open MPI, an int in MPICH)
    private readonly MemoryHandle[] _pins = new MemoryHandle[MaxPending];
    private readonly byte* _status;              // room for either library's MPI_Status
    private int _pending;
    private long _sequence;                      // collectives started, the same count on every rank
    private bool _failed, _disposed;

    public int Rank { get; }
    public int Size { get; }
    public int LocalSize { get; private set; } = 1;
    public string Library => $"{_mpi.Flavor} ({_mpi.Path})";

    public MpiWorld(MpiLibrary mpi, TimeSpan timeout)
    {
        _mpi = mpi;
        _timeout = timeout;
        _requests = (nint*)NativeMemory.AllocZeroed((nuint)(MaxPending * sizeof(nint)));
        _status = (byte*)NativeMemory.AllocZeroed(256);
        int initialized = 0;
        MpiLibrary.Check(mpi.Initialized(&initialized), "MPI_Initialized");
        if (initialized == 0)
        {
            int provided;
            MpiLibrary.Check(mpi.InitThread(null, null, ThreadSerialized, &provided), "MPI_Init_thread");
        }
        int rank, size;
        MpiLibrary.Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        MpiLibrary.Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        LocalSize = CountRanksOnThisHost();
    }

    /// <summary>Ranks whose host name hashes like this one's (one tiny all-reduce; works under any launcher).</summary>
    private int CountRanksOnThisHost()
    {
        var hashes = new double[Size];
        uint h = 2166136261;
        foreach (char ch in Environment.MachineName) h = (h ^ ch) * 16777619;
        hashes[Rank] = h & 0x7FFFFFFF;   // exact in a double
        AllReduceSum(hashes);
        return hashes.Count(v => v == hashes[Rank]);
    }

    public void AllReduceSum(Span<float> values)
    {
        fixed (float* p = values) Run(p, values.Length, _mpi.Float, "all-reduce", broadcastRoot: -1);
    }

    public void AllReduceSum(Span<double> values)
    {
        fixed (double* p = values) Run(p, values.Length, _mpi.Double, "all-reduce", broadcastRoot: -1);
    }

    public void Broadcast(Span<float> values, int root = 0)
    {
        CheckRoot(root);
        fixed (float* p = values) Run(p, values.Length, _mpi.Float, $"broadcast from rank {root}", root);
    }

    public void Broadcast(Span<double> values, int root = 0)
    {
        CheckRoot(root);
        fixed (double* p = values) Run(p, values.Length, _mpi.Double, $"broadcast from rank {root}", root);
    }

    public void StartAllReduceSum(Memory<float> values)
    {
        CheckUsable();
        if (_pending == MaxPending) WaitAll();
        var pin = values.Pin();
        _pins[_pending] = pin;
        _requests[_pending] = 0;
        _sequence++;
        MpiLibrary.Check(_mpi.Iallreduce((void*)_mpi.InPlace, pin.Pointer, values.Length, _mpi.Float, _mpi.Sum, _mpi.CommWorld, &_requests[_pending]), "MPI_Iallreduce");
        _pending++;
    }

    public void Progress()
    {
        for (int i = 0; i < _pending; i++)
        {
            int done = 0;
            MpiLibrary.Check(_mpi.Test(&_requests[i], &done, _status), "MPI_Test");
            if (done != 0) return;   // one test per call is enough to move the progress engine
        }
    }

    public void WaitAll()
    {
        if (_pending == 0) return;
        try { WaitFor(0, _pending, "gradient all-reduce"); }
        finally
        {
            for (int i = 0; i < _pending; i++) _pins[i].Dispose();
            _pending = 0;
        }
    }

    /// <summary>Starts one collective on <paramref name="data"/> and waits for it (bounded).</summary>
    private void Run(void* data, int count, nint type, string what, int broadcastRoot)
    {
        CheckUsable();
        WaitAll();
        _requests[0] = 0;
        _sequence++;
        int code = broadcastRoot < 0
            ? _mpi.Iallreduce((void*)_mpi.InPlace, data, count, type, _mpi.Sum, _mpi.CommWorld, &_requests[0])
            : _mpi.Ibcast(data, count, type, broadcastRoot, _mpi.CommWorld, &_requests[0]);
        MpiLibrary.Check(code, broadcastRoot < 0 ? "MPI_Iallreduce" : "MPI_Ibcast");
        WaitFor(0, 1, what);
    }

    /// <summary>Polls requests [from, from+count) until all are done; past the deadline, names the missing ranks and throws.</summary>
    private void WaitFor(int from, int count, string what)
    {
        long start = Stopwatch.GetTimestamp();
        long deadline = start + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
        int next = from, spins = 0;
        while (next < from + count)
        {
            int done = 0;
            MpiLibrary.Check(_mpi.Test(&_requests[next], &done, _status), "MPI_Test");
            if (done != 0) { next++; continue; }
            if (++spins < 2000) continue;
            long now = Stopwatch.GetTimestamp();
            if (now > deadline) Fail(what);
            // Past a short spin, give the core away: ranks on one host share it with their peers' compute.
            if (now - start < Stopwatch.Frequency / 100) Thread.Yield(); else Thread.Sleep(1);
        }
    }

    /// <summary>
    /// A collective did not finish in time. Every rank stuck here tells every other one (a point-to-point message),
    /// then listens for a few seconds: the ranks not heard from are the dead or hung ones. Then it throws; disposing
    /// the world afterwards aborts the job on every rank.
    /// </summary>
    private void Fail(string what)
    {
        _failed = true;
        var grace = TimeSpan.FromSeconds(Math.Clamp(_timeout.TotalSeconds / 4, 1, 10));
        long seq = _sequence;
        int* message = (int*)NativeMemory.Alloc(sizeof(int));   // never freed: the job ends right after
        message[0] = (int)seq;
        var sends = (nint*)NativeMemory.AllocZeroed((nuint)(Size * sizeof(nint)));
        for (int r = 0; r < Size; r++)
            if (r != Rank) _mpi.Isend(message, 1, _mpi.Int, r, DiagnosisTag, _mpi.CommWorld, &sends[r]);
        var heard = new bool[Size];
        heard[Rank] = true;
        var until = Stopwatch.GetTimestamp() + (long)(grace.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until && heard.Contains(false))
        {
            for (int r = 0; r < Size; r++)
            {
                if (heard[r]) continue;
                int flag = 0;
                _mpi.Iprobe(r, DiagnosisTag, _mpi.CommWorld, &flag, _status);
                heard[r] = flag != 0;
            }
            Thread.Sleep(10);
        }
        var missing = Enumerable.Range(0, Size).Where(r => !heard[r]).ToList();
        string who = missing.Count == 0
            ? "every rank reached a collective but they did not match (ranks called different operations or lengths)"
            : $"rank{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} did not reach it (dead, hung, or stopped early)";
        string message2 = $"rank {Rank} of {Size}: the {what} (collective #{seq}) did not finish within {_timeout.TotalSeconds:0.#} s: {who}. " +
            "The job is aborted on every rank. If a rank is only slow (a long data load before training), raise DistributedOptions.Timeout.";
        throw new WorldException(message2, missing);
    }

    private void CheckRoot(int root)
    {
        if (root < 0 || root >= Size)
            throw new ArgumentOutOfRangeException(nameof(root), $"Broadcast: root rank {root} does not exist in a world of {Size} processes (ranks 0 to {Size - 1}).");
    }

    private void CheckUsable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed) throw new WorldException($"rank {Rank}: an earlier collective failed; this world can only be disposed (which aborts the job).");
    }

    /// <summary>Prints <paramref name="reason"/> and ends the job on every rank (MPI_Abort, exit code 1).</summary>
    public void Abort(string reason)
    {
        Console.Error.WriteLine($"deepsharp: rank {Rank} of {Size}: {reason}");
        Abort(1);
    }

    private void Abort(int exitCode)
    {
        _failed = true;
        Console.Out.Flush();
        Console.Error.Flush();
        _mpi.Abort(_mpi.CommWorld, exitCode);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_failed) Abort(1);
        else MpiLibrary.Check(_mpi.FinalizeCall(), "MPI_Finalize");
        NativeMemory.Free(_requests);
        NativeMemory.Free(_status);
    }
}
