using DeepSharp.Backends;
using DeepSharp.Mpi;
using DeepSharp.Worlds;

namespace DeepSharp;

/// <summary>
/// What <see cref="Distributed.Initialize"/> returns: the processes of this MPI job (or a world of one), installed as
/// <see cref="World.Current"/> until disposed. Disposing finalizes MPI, or aborts every rank after a failed collective.
/// </summary>
public sealed class DistributedWorld : IWorld, IDisposable
{
    private readonly MpiWorld? _mpi;
    private readonly IDisposable _installed;

    internal DistributedWorld(MpiWorld? mpi, string library)
    {
        _mpi = mpi;
        Library = library;
        _installed = World.Use(this);
        if (mpi is not null) AppDomain.CurrentDomain.UnhandledException += OnUnhandledException;
    }

    /// <summary>The MPI library in use ("Open MPI (libmpi.so.40)"), or "none" in a world of one.</summary>
    public string Library { get; }

    /// <summary>True once disposed.</summary>
    public bool IsDisposed { get; private set; }

    /// <inheritdoc/>
    public int Rank => _mpi?.Rank ?? 0;

    /// <inheritdoc/>
    public int Size => _mpi?.Size ?? 1;

    /// <inheritdoc/>
    public int LocalSize => _mpi?.LocalSize ?? 1;

    /// <summary>True on rank 0: the rank that prints and writes files.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>The threads each rank's kernels use (its share of its machine's cores unless DEEPSHARP_THREADS says otherwise).</summary>
    public int Threads => Backend.Cpu.Options.Threads;

    /// <inheritdoc/>
    public void AllReduceSum(Span<float> values) => _mpi?.AllReduceSum(values);

    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values) => _mpi?.AllReduceSum(values);

    /// <inheritdoc/>
    public void StartAllReduceSum(Memory<float> values) => _mpi?.StartAllReduceSum(values);

    /// <inheritdoc/>
    public void Progress() => _mpi?.Progress();

    /// <inheritdoc/>
    public void WaitAll() => _mpi?.WaitAll();

    /// <inheritdoc/>
    public void Broadcast(Span<float> values, int root = 0)
    {
        if (_mpi is null) World.Single.Broadcast(values, root); else _mpi.Broadcast(values, root);
    }

    /// <inheritdoc/>
    public void Broadcast(Span<double> values, int root = 0)
    {
        if (_mpi is null) World.Single.Broadcast(values, root); else _mpi.Broadcast(values, root);
    }

    /// <inheritdoc/>
    public void Abort(string reason) => _mpi?.Abort(reason);

    /// <summary>Gives each rank its share of its machine's cores, unless DEEPSHARP_THREADS is set.</summary>
    internal void ShareCores()
    {
        if (LocalSize <= 1 || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DEEPSHARP_THREADS"))) return;
        Backend.Cpu.Options.Threads = CoreShare(Environment.ProcessorCount, OnlineCpus(), LocalSize);
    }

    /// <summary>
    /// The cores one rank uses: the machine's cores split between the ranks on it, and no more than this process may
    /// run on (a launcher that binds each rank to its cores already gave it its share).
    /// </summary>
    internal static int CoreShare(int processorCount, int onlineCpus, int localSize) =>
        Math.Max(1, Math.Min(processorCount, Math.Max(onlineCpus, processorCount) / localSize));

    private static int OnlineCpus()
    {
        // "/sys/devices/system/cpu/online" is a list such as "0-15" or "0,2-3".
        try
        {
            int n = 0;
            foreach (var part in File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(','))
            {
                var ends = part.Split('-');
                n += ends.Length == 2 ? int.Parse(ends[1]) - int.Parse(ends[0]) + 1 : 1;
            }
            return n;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return Environment.ProcessorCount;
        }
    }

    private void OnUnhandledException(object sender, UnhandledExceptionEventArgs e)
    {
        if (!IsDisposed && e.ExceptionObject is Exception ex) _mpi!.Abort($"unhandled {ex.GetType().Name}: {ex.Message}");
    }

    /// <summary>Finalizes MPI (or aborts every rank after a failed collective) and makes the world of one current again.</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        if (_mpi is not null) AppDomain.CurrentDomain.UnhandledException -= OnUnhandledException;
        _installed.Dispose();
        _mpi?.Dispose();
    }
}
