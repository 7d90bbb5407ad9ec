namespace DeepSharp.Worlds;

/// <summary>
/// The world Fit trains in: a world of one unless <c>Distributed.Initialize()</c> (DeepSharp.Distributed) installed
/// an MPI world. MPI is one per process, so this is one per process too.
/// </summary>
/// <example><code>
/// using var world = Distributed.Initialize();   // installs itself as World.Current; disposing restores the world of one
/// model.Fit(x, y, batchSize: 64, epochs: 5);     // each rank trains on its share of every batch of 64
/// </code></example>
public static class World
{
    /// <summary>The world of one process: rank 0 of 1, every operation a no-op.</summary>
    public static IWorld Single { get; } = new SingleProcessWorld();

    private static IWorld _current = Single;   // after Single: static initializers run in this order

    /// <summary>The world Fit, Evaluate and the callbacks see.</summary>
    public static IWorld Current => _current;

    /// <summary>True on rank 0 (and in a world of one): the rank that prints and writes files.</summary>
    public static bool IsRoot => _current.Rank == 0;

    /// <summary>
    /// Makes <paramref name="world"/> the current one until the returned object is disposed (then the previous one
    /// is current again). Implementations of <see cref="IWorld"/> call it; users call <c>Distributed.Initialize()</c>.
    /// </summary>
    public static IDisposable Use(IWorld world)
    {
        ArgumentNullException.ThrowIfNull(world);
        var previous = _current;
        _current = world;
        return new Restore(world, previous);
    }

    private sealed class Restore(IWorld world, IWorld previous) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            if (ReferenceEquals(_current, world)) _current = previous;
        }
    }

    private sealed class SingleProcessWorld : IWorld
    {
        public int Rank => 0;
        public int Size => 1;
        public int LocalSize => 1;
        public void AllReduceSum(Span<float> values) { }
        public void AllReduceSum(Span<double> values) { }
        public void StartAllReduceSum(Memory<float> values) { }
        public void Progress() { }
        public void WaitAll() { }
        public void Abort(string reason) { }
        public void Broadcast(Span<float> values, int root = 0) => CheckRoot(root);
        public void Broadcast(Span<double> values, int root = 0) => CheckRoot(root);

        private static void CheckRoot(int root)
        {
            if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), $"Broadcast: root rank {root} does not exist in a world of 1 process (ranks 0 to 0).");
        }
    }
}
