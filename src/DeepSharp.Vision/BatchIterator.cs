using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using DeepSharp.Data;

namespace DeepSharp.Vision;

/// <summary>
/// The engine shared by <see cref="DirectoryIterator"/> and <see cref="ArrayIterator"/>: an endless, prefetching
/// source of augmented batches (Keras' <c>Iterator</c>).
/// <para>
/// Schedule (as Keras): a pass visits all samples once in ceil(n / batchSize) batches, the last one smaller; when
/// <c>shuffle</c> is on, each pass uses a new permutation drawn from (seed, pass number). Sample j of the g-th batch
/// since creation is augmented with a seed derived from (seed, g, j), so the batches do not depend on thread timing.
/// </para>
/// <para>
/// Prefetch: a background thread prepares up to <see cref="PrefetchBatches"/> batches ahead, decoding and augmenting
/// the samples of each batch on <see cref="Workers"/> threads. Batch buffers are recycled: the tensors returned by
/// <see cref="Next(CancellationToken)"/> stay valid until the following call to <see cref="Next(CancellationToken)"/>. Dispose the iterator to stop the thread.
/// </para>
/// </summary>
/// <example><code>
/// using var it = new ImageDataGenerator(rescale: 1.0 / 255).Flow(x, y, batchSize: 64);
/// for (int step = 0; step &lt; it.StepsPerEpoch; step++) { var (xb, yb) = it.Next(); /* train on xb, yb */ }
/// Console.WriteLine($"{it.MeasureImagesPerSecond(10):F0} images/s");
/// </code></example>
public abstract class BatchIterator : IBatchGenerator, IDisposable, Worlds.IShardable
{
    private sealed class Slot
    {
        public Tensor X = new(0);      // the whole batch's storage, flat; Next hands out tensors over it (not copied)
        public Tensor? Y;
        public int Count;
        public int GlobalCount;
        public int[] Indices = [];
        public long BatchNumber;
        public ExceptionDispatchInfo? Error;
    }

    [ThreadStatic] private static float[]? _scratch;

    private readonly int[] _sampleShape;      // (h, w, c): how samples are loaded and augmented
    private readonly int[] _outputShape;      // one sample of a batch, in the generator's data format
    private readonly int[]? _targetShape;
    private BlockingCollection<Slot>? _free, _ready;
    private CancellationTokenSource? _cancel;
    private Thread? _producer;
    private Slot? _held;
    private ExceptionDispatchInfo? _fault;
    private int[] _order = [];
    private int _orderPass = -1;
    private int _shardRank, _shardSize = 1;   // sharded (a world of several ranks): this rank's rows of every batch

    // Consumer-side position: the next batch Next() returns.
    private long _batchNumber;
    private int _pass;
    private int _batchInPass;

    /// <summary>The generator whose augmentation and rescaling are applied.</summary>
    public ImageDataGenerator Generator { get; }
    public int BatchSize { get; }
    public bool Shuffle { get; }
    /// <summary>The seed of the shuffling and augmentation (drawn from <see cref="Rng"/> when none was given).</summary>
    public int Seed { get; private set; }
    public int SampleCount { get; }
    public int StepsPerEpoch => (SampleCount + BatchSize - 1) / BatchSize;
    /// <summary>Batches prepared ahead of the consumer (default 3). Set before the first <see cref="Next(CancellationToken)"/>.</summary>
    public int PrefetchBatches { get; set; } = 3;
    /// <summary>Threads decoding and augmenting the samples of a batch (default: all cores).</summary>
    public int Workers { get; set; } = Environment.ProcessorCount;
    /// <summary>Shape of one input sample: (height, width, channels), or (channels, height, width) when the
    /// generator's data format is channels-first.</summary>
    public ReadOnlySpan<int> SampleShape => _outputShape;
    /// <summary>When set, every augmented image of every batch is also written there (Keras' save_to_dir), as
    /// <c>{SavePrefix}_{sample index}_{random number}.{SaveFormat}</c>, scaled to 0..255 as Keras' array_to_img.</summary>
    public string? SaveToDir { get; init; }
    /// <summary>File name prefix of saved images (Keras' save_prefix, default "").</summary>
    public string SavePrefix { get; init; } = "";
    /// <summary>"png" (default), "jpeg"/"jpg" or "webp" (Keras' save_format).</summary>
    public string SaveFormat { get; init; } = "png";

    /// <param name="targetShape">Shape of one target (empty array: a scalar per sample), or null for no targets.</param>
    protected BatchIterator(ImageDataGenerator generator, int sampleCount, int[] sampleShape, int[]? targetShape,
        int batchSize, bool shuffle, int seed)
    {
        if (batchSize <= 0)
            throw new ArgumentException($"batchSize is {batchSize} but must be at least 1 (Keras' default is 32).", nameof(batchSize));
        Generator = generator;
        SampleCount = sampleCount;
        _sampleShape = sampleShape;
        _outputShape = generator.DataFormat == DataFormat.ChannelsFirst ? [sampleShape[2], sampleShape[0], sampleShape[1]] : sampleShape;
        _targetShape = targetShape;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
    }

    /// <summary>Writes the raw (un-augmented) sample <paramref name="index"/> into <paramref name="destination"/> (h*w*c floats).</summary>
    protected abstract void LoadSample(int index, Span<float> destination);

    /// <summary>Writes the target of sample <paramref name="index"/>; <paramref name="input"/> is the finished input sample.</summary>
    protected abstract void WriteTarget(int index, ReadOnlySpan<float> input, Span<float> destination);

    /// <summary>The sample indices of one pass in the order batches use (identity when not shuffling).</summary>
    protected int[] PassOrder(int pass)
    {
        var order = new int[SampleCount];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (Shuffle) Rng.Shuffle(new Random(Mix(Seed, pass, -1)), order);
        return order;
    }

    /// <inheritdoc/>
    public (Tensor X, Tensor? Y) Next() => Next(CancellationToken.None);

    /// <inheritdoc/>
    public (Tensor X, Tensor? Y) Next(CancellationToken cancellationToken)
    {
        _fault?.Throw();
        cancellationToken.ThrowIfCancellationRequested();
        if (_producer is null) Start();
        if (_held is not null) { _free!.Add(_held); _held = null; }
        var slot = _ready!.Take(cancellationToken);   // waiting for a decoded batch ends at once when cancelled
        if (slot.Error is not null)
        {
            _fault = slot.Error;
            StopProducer();
            slot.Error.Throw();
        }
        _held = slot;
        if (SaveToDir is not null) SaveBatch(slot);
        _batchNumber++;
        if (++_batchInPass == StepsPerEpoch) { _batchInPass = 0; _pass++; }
        var xShape = new int[_outputShape.Length + 1];
        xShape[0] = slot.Count;
        _outputShape.CopyTo(xShape, 1);
        Tensor? y = null;
        if (_targetShape is not null)
        {
            var yShape = new int[_targetShape.Length + 1];
            yShape[0] = slot.Count;
            _targetShape.CopyTo(yShape, 1);
            y = new Tensor(slot.Y!.Storage, yShape);
        }
        return (new Tensor(slot.X.Storage, xShape), y);
    }

    int Worlds.IShardable.ShardSeed => Seed;

    int Worlds.IShardable.GlobalBatchCount => _held?.GlobalCount ?? 0;

    /// <summary>
    /// Fit in a world of several ranks: every batch holds only this rank's rows of the batch a world of one would
    /// get, shuffled and augmented with rank 0's seed (sample j of a batch gets the same augmentation on any rank).
    /// </summary>
    void Worlds.IShardable.Shard(int rank, int size, int seed)
    {
        StopProducer();
        _shardRank = rank;
        _shardSize = size;
        Seed = seed;
        _orderPass = -1;
        Workers = Math.Max(1, Math.Min(Workers, DeepSharp.Backends.Backend.Cpu.Options.Threads));
    }

    /// <summary>Goes back to the start of a pass (a new pass: reshuffled when shuffling, as Keras' reset).</summary>
    public void Reset()
    {
        StopProducer();
        _fault = null;
        if (_batchInPass != 0) { _batchInPass = 0; _pass++; }
    }

    /// <summary>
    /// Times <paramref name="batches"/> calls of <see cref="Next(CancellationToken)"/> (after one warm-up batch) and returns the pipeline's
    /// images per second on its own, with nothing else consuming the batches.
    /// </summary>
    public double MeasureImagesPerSecond(int batches = 10)
    {
        Next();
        long images = 0;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++) images += Next().X.Dim(0);
        return images / sw.Elapsed.TotalSeconds;
    }

    public void Dispose()
    {
        StopProducer();
        GC.SuppressFinalize(this);
    }

    private void Start()
    {
        int sampleSize = VisionShapes.Product(_sampleShape);
        int targetSize = _targetShape is null ? 0 : VisionShapes.Product(_targetShape);
        _free = new BlockingCollection<Slot>();
        _ready = new BlockingCollection<Slot>();
        for (int i = 0; i < Math.Max(1, PrefetchBatches) + 1; i++)
            _free.Add(new Slot
            {
                X = new Tensor(BatchSize * sampleSize),
                Y = _targetShape is null ? null : new Tensor(BatchSize * targetSize),
            });
        _cancel = new CancellationTokenSource();
        var token = _cancel.Token;
        long batchNumber = _batchNumber;
        int pass = _pass, batchInPass = _batchInPass;
        _producer = new Thread(() => Produce(batchNumber, pass, batchInPass, token)) { IsBackground = true, Name = "DeepSharp batch prefetch" };
        _producer.Start();
    }

    private void StopProducer()
    {
        if (_producer is null) return;
        _cancel!.Cancel();
        _producer.Join();
        _producer = null;
        _held = null;
        _cancel.Dispose();
        _free!.Dispose();
        _ready!.Dispose();
        _free = _ready = null;
    }

    private void Produce(long batchNumber, int pass, int batchInPass, CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                var slot = _free!.Take(token);
                try
                {
                    FillBatch(slot, batchNumber, pass, batchInPass);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    slot.Error = ExceptionDispatchInfo.Capture(e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e);
                    _ready!.Add(slot, token);
                    return;
                }
                _ready!.Add(slot, token);
                batchNumber++;
                if (++batchInPass == StepsPerEpoch) { batchInPass = 0; pass++; }
            }
        }
        catch (OperationCanceledException) { }
    }

    private void FillBatch(Slot slot, long batchNumber, int pass, int batchInPass)
    {
        if (_orderPass != pass) { _order = PassOrder(pass); _orderPass = pass; }
        int globalStart = batchInPass * BatchSize;
        int globalCount = Math.Min(BatchSize, SampleCount - globalStart);
        int first = (int)((long)globalCount * _shardRank / _shardSize);   // ShardedBatches.Share: this rank's rows
        int start = globalStart + first;
        int count = (int)((long)globalCount * (_shardRank + 1) / _shardSize) - first;
        int[] order = _order;
        int h = _sampleShape[0], w = _sampleShape[1], c = _sampleShape[2];
        int sampleSize = h * w * c;
        int targetSize = _targetShape is null ? 0 : VisionShapes.Product(_targetShape);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Workers) };
        Parallel.For(0, count, options, j =>
        {
            int index = order[start + j];
            var scratch = _scratch is { } s && s.Length >= sampleSize ? s : (_scratch = new float[sampleSize]);
            var raw = scratch.AsSpan(0, sampleSize);
            LoadSample(index, raw);
            var dst = slot.X.Span.Slice(j * sampleSize, sampleSize);
            Generator.Augment(raw, dst, h, w, c, Mix(Seed, batchNumber, first + j));
            if (slot.Y is not null) WriteTarget(index, dst, slot.Y.Span.Slice(j * targetSize, targetSize));
        });
        if (SaveToDir is not null)
        {
            if (slot.Indices.Length < count) slot.Indices = new int[BatchSize];
            Array.Copy(order, start, slot.Indices, 0, count);
            slot.BatchNumber = batchNumber;
        }
        slot.Count = count;
        slot.GlobalCount = globalCount;
        slot.Error = null;
    }

    /// <summary>Writes the images of a batch as it is handed out (so that prefetched batches are not saved early).</summary>
    private void SaveBatch(Slot slot)
    {
        int h = _sampleShape[0], w = _sampleShape[1], c = _sampleShape[2], size = h * w * c;
        for (int j = 0; j < slot.Count; j++)
            Save(slot.X.Span.Slice(j * size, size), h, w, c, slot.Indices[j], Mix(Seed, slot.BatchNumber, j + 1_000_003) % 10_000_000);
    }

    private void Save(ReadOnlySpan<float> sample, int h, int w, int c, int index, int hash)
    {
        var hwc = new float[h * w * c];
        if (Generator.DataFormat == DataFormat.ChannelsFirst)
            for (int k = 0; k < c; k++)
                for (int i = 0; i < h * w; i++) hwc[i * c + k] = sample[k * h * w + i];
        else sample.CopyTo(hwc);
        ImageIO.ScaleToBytes(hwc);
        var format = SaveFormat.ToLowerInvariant() switch
        {
            "png" => SkiaSharp.SKEncodedImageFormat.Png,
            "jpeg" or "jpg" => SkiaSharp.SKEncodedImageFormat.Jpeg,
            "webp" => SkiaSharp.SKEncodedImageFormat.Webp,
            _ => throw new ArgumentException($"saveFormat \"{SaveFormat}\" is not supported. Use \"png\", \"jpeg\" or \"webp\"."),
        };
        string path = Path.Combine(SaveToDir!, $"{SavePrefix}_{index}_{hash}.{SaveFormat}");
        ImageIO.WriteEncoded(hwc, h, w, c, path, format, 95);
    }

    /// <summary>A well-mixed 32-bit seed from (seed, a, b) (SplitMix64 finalizer).</summary>
    internal static int Mix(int seed, long a, long b)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)a * 0xBF58476D1CE4E5B9UL ^ (ulong)(b + 1) * 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
