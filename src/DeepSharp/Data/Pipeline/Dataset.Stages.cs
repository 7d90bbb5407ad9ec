namespace DeepSharp.Data;

public abstract partial class Dataset
{
    /// <summary>
    /// Applies <paramref name="function"/> to every element (tf's <c>map</c>): it gets the input and the target (null
    /// when the dataset has none) and returns the new pair. With <paramref name="numParallelCalls"/> (a count, or
    /// <see cref="Autotune"/> for one per core) that many elements are mapped at once on the thread pool; the order of
    /// the elements is kept. The function must not change its arguments (they may be a cache's tensors).
    /// An exception in the function surfaces when the element is read, as a <see cref="DatasetException"/> naming the element
    /// (an <see cref="IFileError"/>, which names its file, and a <see cref="DatasetException"/> surface unchanged).
    /// </summary>
    /// <example><code>var scaled = ds.Map((x, y) => (x / 255f, y), numParallelCalls: Dataset.Autotune);</code></example>
    public Dataset Map(Func<Tensor, Tensor?, (Tensor X, Tensor? Y)> function, int? numParallelCalls = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new MapDataset(this, (e, _) => { var (x, y) = function(e.X, e.Y); return new Element(x, y); },
            Parallelism(numParallelCalls), wrapErrors: true);
    }

    /// <summary>Applies <paramref name="function"/> to every input, keeping the targets (see
    /// <see cref="Map(Func{Tensor, Tensor?, ValueTuple{Tensor, Tensor?}}, int?)"/>).</summary>
    /// <example><code>var flipped = images.Map(x => Flip(x), numParallelCalls: 2);</code></example>
    public Dataset Map(Func<Tensor, Tensor> function, int? numParallelCalls = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new MapDataset(this, (e, _) => new Element(function(e.X), e.Y), Parallelism(numParallelCalls), wrapErrors: true);
    }

    /// <summary>
    /// A <see cref="Map(Func{Tensor, Tensor?, ValueTuple{Tensor, Tensor?}}, int?)"/> whose new inputs all have one
    /// <paramref name="shape"/> and are written into buffers the stage owns: <paramref name="function"/> gets the input,
    /// the target and an <c>output</c> tensor of that shape to fill (its old contents are undefined), and returns the new
    /// target. A buffer is reused once <see cref="Batch"/> has copied it into a batch (or Fit, Evaluate and Predict are done
    /// with it), so decoding fixed-size images allocates no image memory in steady state; elements read with
    /// <c>foreach</c>, kept by <see cref="Cache"/> or passed to a later Map are never reused. Errors as in Map.
    /// </summary>
    /// <example><code>
    /// // One decoded 180×180 RGB image per file index, decoded on every core into pooled buffers, then batched.
    /// var images = Dataset.Range(paths.Length)
    ///     .MapInto([180, 180, 3], (index, _, output) => { DecodeInto(paths[(int)index.Span[0]], output); return null; },
    ///              numParallelCalls: Dataset.Autotune)
    ///     .Batch(32);
    /// </code></example>
    public Dataset MapInto(int[] shape, Func<Tensor, Tensor?, Tensor, Tensor?> function, int? numParallelCalls = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(function);
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException($"Dataset.MapInto: shape {Tensor.FormatShape(shape)} has a negative dimension. Give the shape of one output element, e.g. [180, 180, 3].", nameof(shape));
        var outputShape = shape.ToArray();
        var pool = new System.Collections.Concurrent.ConcurrentQueue<BufferLease>();
        return new MapDataset(this, (e, _) =>
        {
            if (!pool.TryDequeue(out var lease)) lease = new BufferLease(pool);
            lease.Rent();
            var output = Tensor.Ensure(ref lease.X, outputShape);
            try { return new Element(output, function(e.X, e.Y, output), lease); }
            catch { lease.Release(); throw; }
        }, Parallelism(numParallelCalls), wrapErrors: true);
    }

    /// <summary>A map over the internal elements (the element's index in the pass as second argument); errors pass
    /// unwrapped when <paramref name="wrapErrors"/> is false (they already name their file).</summary>
    internal Dataset MapElements(Func<Element, long, Element> function, int? numParallelCalls, bool wrapErrors) =>
        new MapDataset(this, function, Parallelism(numParallelCalls), wrapErrors);

    private static int Parallelism(int? numParallelCalls) => numParallelCalls switch
    {
        null => 1,
        Autotune => Environment.ProcessorCount,
        >= 1 and <= 4096 => numParallelCalls.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(numParallelCalls), $"numParallelCalls must be 1 .. 4096 or Dataset.Autotune, got {numParallelCalls}."),
    };

    /// <summary>
    /// Stacks <paramref name="batchSize"/> consecutive elements into one (tf's <c>batch</c>): inputs (n, ...) and targets
    /// (n, ...). The last batch may be smaller unless <paramref name="dropRemainder"/>. All elements of a batch need the
    /// same shapes.
    /// </summary>
    /// <example><code>var batches = Dataset.FromTensors(x, y).Batch(32);</code></example>
    public Dataset Batch(int batchSize, bool dropRemainder = false)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be at least 1, got {batchSize}.");
        return new BatchDataset(this, batchSize, dropRemainder);
    }

    /// <summary>Splits every element along its first axis into one element per row (tf's <c>unbatch</c>).</summary>
    /// <example><code>var rows = batches.Unbatch();</code></example>
    public Dataset Unbatch() => new UnbatchDataset(this);

    /// <summary>
    /// Shuffles with a buffer of <paramref name="bufferSize"/> elements (tf's <c>shuffle</c>): the buffer is filled with
    /// the first elements, then each element handed out is drawn at random from the buffer and replaced by the next one.
    /// A buffer at least as large as the dataset gives a uniform permutation. With <paramref name="reshuffleEachIteration"/>
    /// every pass (epoch) draws a new order; with a <paramref name="seed"/> the sequence of orders is the same every run.
    /// </summary>
    /// <example><code>var shuffled = ds.Shuffle(bufferSize: 1000, seed: 42);</code></example>
    public Dataset Shuffle(int bufferSize, int? seed = null, bool reshuffleEachIteration = true)
    {
        if (bufferSize < 1) throw new ArgumentOutOfRangeException(nameof(bufferSize), $"bufferSize must be at least 1 (1 keeps the order), got {bufferSize}.");
        return new ShuffleDataset(this, bufferSize, seed ?? System.Random.Shared.Next(), reshuffleEachIteration);
    }

    /// <summary>The first <paramref name="count"/> elements (all of them when -1), tf's <c>take</c>.</summary>
    /// <example><code>foreach (var (x, y) in ds.Take(1)) { /* one batch */ }</code></example>
    public Dataset Take(long count)
    {
        if (count < -1) throw new ArgumentOutOfRangeException(nameof(count), $"Take count must be -1 (all) or more, got {count}.");
        return new TakeSkipDataset(this, count, take: true);
    }

    /// <summary>All but the first <paramref name="count"/> elements (none when -1), tf's <c>skip</c>.</summary>
    /// <example><code>var (validation, train) = (ds.Take(10), ds.Skip(10));</code></example>
    public Dataset Skip(long count)
    {
        if (count < -1) throw new ArgumentOutOfRangeException(nameof(count), $"Skip count must be -1 (all) or more, got {count}.");
        return new TakeSkipDataset(this, count, take: false);
    }

    /// <summary>Runs <paramref name="count"/> passes one after the other as one (endless when null), tf's <c>repeat</c>;
    /// each pass reshuffles. An endless dataset needs <c>stepsPerEpoch</c> in Fit.</summary>
    /// <example><code>model.Fit(ds.Repeat(), stepsPerEpoch: 100, epochs: 10);</code></example>
    public Dataset Repeat(int? count = null)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"Repeat count must be 0 or more (null: endless), got {count}.");
        return new RepeatDataset(this, count);
    }

    /// <summary>
    /// Keeps the elements of the first complete pass and replays them afterwards (tf's <c>cache</c>): in memory when
    /// <paramref name="filename"/> is null or empty, else in that file, written under a temporary name and renamed when
    /// the pass completes (a pass that stops early leaves no file). An existing cache file is read instead of the
    /// stages before it, also by a later run: delete it when the data changes. Put random augmentation after the cache.
    /// </summary>
    /// <example><code>var decoded = ImageDataset.FromDirectory("data/train", shuffle: false).Cache("train.cache");</code></example>
    public Dataset Cache(string? filename = null)
    {
        if (!string.IsNullOrEmpty(filename))
        {
            string full = Path.GetFullPath(filename);
            if (Directory.Exists(full))
                throw new ArgumentException($"Cache file '{filename}' is a folder. Give a file name, e.g. '{Path.Combine(filename, "train.cache")}'.", nameof(filename));
            string? dir = Path.GetDirectoryName(full);
            if (dir is not null && !Directory.Exists(dir))
                throw new DirectoryNotFoundException($"Cache file '{filename}': its folder '{dir}' does not exist. Create it first.");
            return new CacheDataset(this, full);
        }
        return new CacheDataset(this, null);
    }

    /// <summary>
    /// Reads up to <paramref name="bufferSize"/> elements ahead on a background thread (tf's <c>prefetch</c>;
    /// <see cref="Autotune"/>: 2), so the stages before it (decoding, augmentation) run while the model trains. The wait
    /// for an element ends at once when the reader's cancellation token is cancelled, and an error of an earlier
    /// stage is thrown on the reader's thread. The thread stops at the end of the pass, or when the pass is abandoned
    /// (a <c>foreach</c> left early, <see cref="Dispose"/>).
    /// </summary>
    /// <example><code>var ds = ImageDataset.FromDirectory("data/train").Prefetch(Dataset.Autotune);</code></example>
    public Dataset Prefetch(int bufferSize)
    {
        if (bufferSize == Autotune) bufferSize = 2;
        if (bufferSize < 1 || bufferSize > 1 << 16)
            throw new ArgumentOutOfRangeException(nameof(bufferSize), $"Prefetch bufferSize must be 1 .. 65536 or Dataset.Autotune, got {bufferSize}.");
        return new PrefetchDataset(this, bufferSize);
    }
}
