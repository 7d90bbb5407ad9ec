using DeepSharp.Callbacks;
using DeepSharp.Data;
using DeepSharp.Layers;
using DeepSharp.Training;
using DeepSharp.Worlds;

namespace DeepSharp.Models;

// Fit in a world of several ranks (World.Current, installed by DeepSharp.Distributed): the hooks FitLoop and
// EvaluateLoop call. In a world of one none of them runs.
public partial class Model
{
    private GradientBuckets? _gradientBuckets;

    private double[] _logSums = [];

    /// <summary>
    /// Before the first epoch, after the callbacks' OnTrainBegin (BackupAndRestore may have loaded weights on rank 0):
    /// every rank takes rank 0's weights, optimizer state (slots, iterations, learning rate: a backup restores them on
    /// rank 0 only) and starting epoch, and the BatchNormalization settings are checked.
    /// </summary>
    private void BeginWorldFit(IWorld world)
    {
        var optimizer = Optimizer!;
        foreach (var p in _parameterCache)
        {
            world.Broadcast(p.Value.Span);
            if (p.Trainable)
            {
                foreach (var slot in optimizer.Slots(p)) world.Broadcast(slot);
                if (optimizer.UseEma) world.Broadcast(optimizer.Average(p));
            }
        }
        var scalars = optimizer.StateScalars;
        Span<double> state = stackalloc double[3 + scalars.Count];
        (state[0], state[1], state[2]) = (ResumeEpoch, optimizer.Iterations, optimizer.LearningRate);
        for (int i = 0; i < scalars.Count; i++) state[3 + i] = scalars[i].Get();
        world.Broadcast(state);
        ResumeEpoch = (int)state[0];
        optimizer.Iterations = (long)state[1];
        if (optimizer.Schedule is null) optimizer.LearningRate = state[2];   // a schedule follows Iterations
        for (int i = 0; i < scalars.Count; i++) scalars[i].Set(state[3 + i]);
        _gradientBuckets ??= new GradientBuckets();
    }

    /// <summary>The callbacks this rank runs: all on rank 0, those that do not write (<see cref="Callback.RootOnly"/>) elsewhere.</summary>
    private static List<Callback> CallbacksForRank(List<Callback> callbacks, IWorld world) =>
        world.Rank == 0 ? callbacks : callbacks.Where(c => !c.RootOnly).ToList();

    /// <summary>
    /// One step on this rank's share of a global batch of <paramref name="globalCount"/> samples: the loss's seed
    /// gradient is weighted by this rank's share (n/globalCount), so that the gradients summed over the ranks are
    /// exactly those of the whole batch in a world of one; then the optimizer takes the same step on every rank.
    /// Returns this rank's mean loss (0 when it got no rows: a last batch smaller than the world).
    /// </summary>
    private double WorldTrainStep(IWorld world, Tensor xb, Tensor yb, int globalCount)
    {
        int n = xb.Dim(0);
        if (globalCount < world.Size && LayersDeep().Any(l => l is BatchNormalization { Synchronized: true }))
            throw new ArgumentException($"A batch of {globalCount} samples cannot be split over {world.Size} ranks with synchronized BatchNormalization " +
                "(a rank with no samples has no statistics to share). Use a batch size that leaves at least one sample per rank in every batch, the last one included.");
        double loss = 0;
        var gradients = TrainableGradients();
        var buckets = _gradientBuckets!;
        buckets.Begin(world, gradients);
        if (n > 0) loss = ComputeGradients(xb, yb, (float)n / globalCount, inFlight: buckets).Loss;
        else foreach (var g in gradients) g.Gradient.Span.Clear();
        buckets.Finish(1f);
        AddRegularizationGradients(1f);   // the same on every rank (same weights), so after the all-reduce
        LastFitTimings.AllReduceSeconds += buckets.LastWaitSeconds;
        Optimizer!.ApplyGradients(gradients);
        if (n > 0) foreach (var m in Metrics) m.Update(_graph.ValueAt(_graph.Count - 1)!, yb);
        return loss;
    }

    /// <summary>
    /// Writes loss and metrics over all ranks into <paramref name="logs"/> (every rank gets the same figures): the loss
    /// sum, the sample count and every metric's whole state are summed over the ranks in one all-reduce, and each
    /// metric's result is computed from its summed state (as Keras sums its metric variables across replicas).
    /// </summary>
    private void FillWorldLogs(IWorld world, Dictionary<string, double> logs, double lossSum, long seen, string prefix)
    {
        int k = 2;
        foreach (var m in Metrics) k += m.StateSize;
        if (_logSums.Length != k) _logSums = new double[k];
        _logSums[0] = lossSum;
        _logSums[1] = seen;
        int at = 2;
        foreach (var m in Metrics)
        {
            m.State.CopyTo(_logSums.AsSpan(at));
            at += m.StateSize;
        }
        world.AllReduceSum(_logSums.AsSpan());
        logs[prefix + "loss"] = _logSums[0] / Math.Max(_logSums[1], 1);
        at = 2;
        foreach (var m in Metrics)
        {
            logs[prefix + m.Name] = m.ResultFrom(_logSums.AsSpan(at, m.StateSize));
            at += m.StateSize;
        }
    }

    /// <summary>
    /// At the end of an epoch: BatchNormalization layers trained on local statistics get the mean of the ranks' moving
    /// statistics (so validation and the saved model see one set), then the weights' checksums are compared: ranks
    /// whose weights differ from rank 0's end the job with an error naming them.
    /// </summary>
    private void EndWorldEpoch(IWorld world, int epoch)
    {
        foreach (var layer in LayersDeep())
            if (layer is BatchNormalization { Trainable: true, Synchronized: false } bn)
                foreach (var p in bn.Parameters)
                    if (!p.Trainable)
                    {
                        world.AllReduceSum(p.Value.Span);
                        System.Numerics.Tensors.TensorPrimitives.Multiply(p.Value.Span, 1f / world.Size, p.Value.Span);
                    }
        var hash = new System.IO.Hashing.XxHash64();
        foreach (var p in _parameterCache) hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Value.Span));
        var sums = new double[world.Size];
        sums[world.Rank] = hash.GetCurrentHashAsUInt64() & ((1UL << 52) - 1);   // exact in a double
        world.AllReduceSum(sums);
        var differ = Enumerable.Range(1, world.Size - 1).Where(r => sums[r] != sums[0]).ToList();
        if (differ.Count > 0)
            throw new WorldException($"After epoch {epoch + 1} the weights of rank{(differ.Count > 1 ? "s" : "")} {string.Join(", ", differ)} differ from rank 0's " +
                $"(checksums {string.Join(", ", sums.Select(s => ((ulong)s).ToString("x13")))}): the ranks diverged. Every rank must run the same model, " +
                "optimizer and callbacks; a callback that changes weights or the learning rate must do it on every rank.", differ);
    }

    /// <summary>The generator Fit and Evaluate read in this world: this rank's share of every batch.</summary>
    private static IBatchGenerator ShardForWorld(IBatchGenerator data, IWorld world) =>
        world.Size == 1 || data is ShardedBatches ? data : new ShardedBatches(data, world);

    /// <summary>In a world of several ranks, a failure on one rank ends every rank at once (they would wait for it).</summary>
    private static void AbortWorld(IWorld world, Exception e)
    {
        if (world.Size > 1) world.Abort($"{e.GetType().Name}: {e.Message}");
    }
}
