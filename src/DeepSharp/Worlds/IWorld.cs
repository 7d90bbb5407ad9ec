namespace DeepSharp.Worlds;

/// <summary>
/// The processes that train one model together (data parallelism): this process's rank among them and the
/// collective operations Fit needs. <see cref="World.Current"/> is the one Fit uses; a world of one (the default)
/// makes every operation a no-op. The MPI implementation lives in the DeepSharp.Distributed package
/// (<c>Distributed.Initialize()</c>), so the core needs no native library.
/// </summary>
/// <remarks>
/// Every rank must call the collective operations in the same order with the same lengths. Implementations
/// bound every wait: a rank that dies or hangs ends the job with an error naming it (<see cref="WorldException"/>).
/// </remarks>
public interface IWorld
{
    /// <summary>This process's rank, 0 to <see cref="Size"/> - 1. Rank 0 prints and writes files.</summary>
    int Rank { get; }

    /// <summary>The number of processes.</summary>
    int Size { get; }

    /// <summary>How many ranks run on this process's machine (they share its cores).</summary>
    int LocalSize { get; }

    /// <summary>Replaces <paramref name="values"/> with their element-wise sum over all ranks.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> with their element-wise sum over all ranks.</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>
    /// Starts summing <paramref name="values"/> over all ranks in place and returns at once; the sum is there after
    /// <see cref="WaitAll"/>. The memory must stay untouched until then. Fit sends gradient buckets this way while
    /// the backward pass still runs.
    /// </summary>
    void StartAllReduceSum(Memory<float> values);

    /// <summary>Lets started operations progress without waiting (call it now and then while computing).</summary>
    void Progress();

    /// <summary>Waits (bounded) until every operation started by <see cref="StartAllReduceSum"/> has finished.</summary>
    void WaitAll();

    /// <summary>Replaces <paramref name="values"/> on every rank with those of rank <paramref name="root"/>.</summary>
    void Broadcast(Span<float> values, int root = 0);

    /// <summary>Replaces <paramref name="values"/> on every rank with those of rank <paramref name="root"/>.</summary>
    void Broadcast(Span<double> values, int root = 0);

    /// <summary>
    /// Ends every rank of the job now after printing <paramref name="reason"/> (MPI_Abort): Fit calls it when it
    /// fails on one rank in a world of several, so the others do not wait for it. A world of one does nothing
    /// (the caller's exception goes on).
    /// </summary>
    void Abort(string reason);
}
