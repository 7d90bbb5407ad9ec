using DeepSharp.Gradients;

namespace DeepSharp.Worlds;

/// <summary>
/// Sums gradients over the ranks of a world in buckets of about 4 MB: the gradients are copied into one pinned
/// buffer, each bucket's all-reduce starts as soon as it is full (so copying the next bucket overlaps with sending
/// this one), and the sums are copied back once all are done. Reused step after step: no allocation per step.
/// </summary>
internal sealed class GradientBuckets
{
    /// <summary>Floats per bucket (4 MB), as PyTorch DDP's and Horovod's fusion buffers: big enough to be bandwidth-bound.</summary>
    internal const int BucketFloats = 1 << 20;

    [ThreadStatic] private static GradientBuckets? _shared;
    private float[] _buffer = [];

    /// <summary>Seconds spent in the last <see cref="AllReduce"/> (copying and waiting), for FitTimings.</summary>
    public double LastSeconds { get; private set; }

    /// <summary>For a custom loop: every gradient replaced by its mean over the ranks.</summary>
    public static void AllReduceMean(IWorld world, IReadOnlyList<WeightGradient> gradients) =>
        (_shared ??= new GradientBuckets()).AllReduce(world, gradients, 1f / world.Size);

    /// <summary>Replaces every gradient by its sum over the ranks times <paramref name="scale"/>.</summary>
    public void AllReduce(IWorld world, IReadOnlyList<WeightGradient> gradients, float scale)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        int total = 0;
        foreach (var g in gradients) total += g.Gradient.Size;
        if (_buffer.Length < total) _buffer = GC.AllocateUninitializedArray<float>(total, pinned: true);
        int filled = 0, sent = 0;
        foreach (var g in gradients)
        {
            g.Gradient.Span.CopyTo(_buffer.AsSpan(filled));
            filled += g.Gradient.Size;
            while (filled - sent >= BucketFloats)
            {
                world.StartAllReduceSum(_buffer.AsMemory(sent, BucketFloats));
                sent += BucketFloats;
            }
        }
        if (filled > sent) world.StartAllReduceSum(_buffer.AsMemory(sent, filled - sent));
        world.WaitAll();
        int offset = 0;
        foreach (var g in gradients)
        {
            var source = _buffer.AsSpan(offset, g.Gradient.Size);
            if (scale == 1f) source.CopyTo(g.Gradient.Span);
            else System.Numerics.Tensors.TensorPrimitives.Multiply(source, scale, g.Gradient.Span);
            offset += g.Gradient.Size;
        }
        LastSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
