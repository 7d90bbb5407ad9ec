using DeepSharp.Gradients;
using DeepSharp.Layers;

namespace DeepSharp.Worlds;

/// <summary>
/// Sums gradients over the ranks of a world in buckets of about 4 MB, as PyTorch DDP and Horovod do. The gradients are
/// laid out in one pinned buffer in the order the backward pass finishes them (last layer first). During the backward
/// pass (<see cref="Begin"/>, then <see cref="LayerDone"/> after each layer), every bucket whose gradients are all final
/// is copied in and its all-reduce started at once, so sending overlaps with computing the earlier layers' gradients;
/// <see cref="Finish"/> sends the rest, waits and copies the sums back. Reused step after step: no allocation per step.
/// </summary>
internal sealed class GradientBuckets
{
    /// <summary>Floats per bucket (4 MB): big enough to be bandwidth-bound, small enough to start early. (Tests make it tiny.)</summary>
    internal static int BucketFloats { get; set; } = 1 << 20;

    /// <summary>Start buckets during the backward pass (on by default; bench -- scaling measures both).</summary>
    internal static bool Overlap { get; set; } = true;

    [ThreadStatic] private static GradientBuckets? _shared;
    private float[] _buffer = [];
    private IReadOnlyList<WeightGradient>? _gradients;
    private Dictionary<Parameter, int> _index = new(ReferenceEqualityComparer.Instance);
    private int[] _offset = [];
    private bool[] _ready = [];
    private IWorld _world = World.Single;
    private int _next, _filled, _sent;   // next gradient (from the last) to copy; floats copied; floats sent
    private long _start;

    /// <summary>Seconds from the end of the backward pass to the sums being back (the all-reduce time not hidden behind it).</summary>
    public double LastWaitSeconds { get; private set; }

    /// <summary>Seconds from the first bucket sent to the sums being back.</summary>
    public double LastSeconds { get; private set; }

    /// <summary>For a custom loop: every gradient replaced by its mean over the ranks.</summary>
    public static void AllReduceMean(IWorld world, IReadOnlyList<WeightGradient> gradients)
    {
        var b = _shared ??= new GradientBuckets();
        b.Begin(world, gradients);
        b.Finish(1f / world.Size);
    }

    /// <summary>Replaces every gradient by its sum over the ranks times <paramref name="scale"/>.</summary>
    public void AllReduce(IWorld world, IReadOnlyList<WeightGradient> gradients, float scale)
    {
        Begin(world, gradients);
        Finish(scale);
    }

    /// <summary>Before a backward pass that will write <paramref name="gradients"/>.</summary>
    public void Begin(IWorld world, IReadOnlyList<WeightGradient> gradients)
    {
        _world = world;
        if (!ReferenceEquals(gradients, _gradients) || _offset.Length != gradients.Count) Layout(gradients);
        Array.Clear(_ready);
        _next = gradients.Count - 1;
        _filled = _sent = 0;
        _start = 0;
    }

    /// <summary>The backward pass finished <paramref name="layer"/>: its weights' gradients are final.</summary>
    public void LayerDone(Layer layer)
    {
        if (!Overlap) return;
        foreach (var p in layer.Parameters)
            if (_index.TryGetValue(p, out int i)) _ready[i] = true;
        while (_next >= 0 && _ready[_next]) CopyIn(_next--);
        SendFullBuckets();
        if (_sent > 0) _world.Progress();   // MPI moves non-blocking collectives on only inside MPI calls
    }

    /// <summary>After the backward pass: sends what is left, waits (bounded) and writes sum × <paramref name="scale"/> back.</summary>
    public void Finish(float scale)
    {
        long end = System.Diagnostics.Stopwatch.GetTimestamp();
        var gradients = _gradients!;
        while (_next >= 0) CopyIn(_next--);
        SendFullBuckets();
        if (_filled > _sent) Send(_filled - _sent);
        _world.WaitAll();
        for (int i = 0; i < gradients.Count; i++)
        {
            var g = gradients[i].Gradient;
            var source = _buffer.AsSpan(_offset[i], g.Size);
            if (scale == 1f) source.CopyTo(g.Span);
            else System.Numerics.Tensors.TensorPrimitives.Multiply(source, scale, g.Span);
        }
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        LastWaitSeconds = (now - end) / (double)System.Diagnostics.Stopwatch.Frequency;
        LastSeconds = (now - (_start == 0 ? end : _start)) / (double)System.Diagnostics.Stopwatch.Frequency;
    }

    private void Layout(IReadOnlyList<WeightGradient> gradients)
    {
        _gradients = gradients;
        _index = new Dictionary<Parameter, int>(ReferenceEqualityComparer.Instance);
        _offset = new int[gradients.Count];
        _ready = new bool[gradients.Count];
        int total = 0;
        for (int i = gradients.Count - 1; i >= 0; i--)   // the backward pass finishes the last weights first
        {
            _index[gradients[i].Weight] = i;
            _offset[i] = total;
            total += gradients[i].Gradient.Size;
        }
        if (_buffer.Length < total) _buffer = GC.AllocateUninitializedArray<float>(total, pinned: true);
    }

    private void CopyIn(int i)
    {
        var g = _gradients![i].Gradient;
        g.Span.CopyTo(_buffer.AsSpan(_offset[i]));
        _filled = _offset[i] + g.Size;
    }

    private void SendFullBuckets()
    {
        while (_filled - _sent >= BucketFloats) Send(BucketFloats);
    }

    private void Send(int count)
    {
        if (_start == 0) _start = System.Diagnostics.Stopwatch.GetTimestamp();
        _world.StartAllReduceSum(_buffer.AsMemory(_sent, count));
        _sent += count;
    }
}
