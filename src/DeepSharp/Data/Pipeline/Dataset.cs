using System.Collections;

namespace DeepSharp.Data;

/// <summary>
/// A pipeline of elements, as <c>tf.data.Dataset</c>: each element is an input tensor and an optional target tensor
/// (<c>(x, y)</c> or <c>x</c> alone). Datasets are descriptions: every method returns a new dataset, and each pass
/// (a <c>foreach</c>, or one epoch of <c>Fit</c>) runs the stages from the start, so a <see cref="Shuffle"/> reshuffles
/// every epoch. A dataset is what <c>ImageDataset.FromDirectory</c> returns, and <c>Model.Fit</c>, <c>Evaluate</c> and
/// <c>Predict</c> take one: one pass of a finite dataset is one epoch, as in Keras.
/// <para>
/// Stages: <see cref="Map(Func{Tensor, Tensor?, ValueTuple{Tensor, Tensor?}}, int?)"/> (optionally on several threads,
/// results in order), <see cref="Batch"/>/<see cref="Unbatch"/>, <see cref="Shuffle"/>, <see cref="Take"/>/<see cref="Skip"/>,
/// <see cref="Repeat"/>, <see cref="Cache"/> (memory or a file) and <see cref="Prefetch"/> (a background thread). An
/// error in a stage surfaces on the thread that reads the dataset, naming the element or the file.
/// </para>
/// <para>
/// Tensors are not copied between stages: treat the tensors a dataset yields as read-only (a cached dataset yields the
/// same tensors every pass). Fit, Evaluate and Predict read batches through <see cref="IBatchGenerator"/>, which lets
/// <see cref="Batch"/> reuse its buffers (a batch is valid until the next one is read), so steady-state training
/// allocates no batch memory; batches read with <c>foreach</c> are never reused and can be kept.
/// </para>
/// </summary>
/// <example><code>
/// var ds = Dataset.FromTensors(images, labels)           // (n, 28, 28, 1) and (n, 10)
///     .Shuffle(1024, seed: 1)
///     .Map((x, y) => (x / 255f, y))
///     .Batch(64)
///     .Prefetch(Dataset.Autotune);
/// model.Fit(ds, epochs: 5, validationData: Dataset.FromTensors(testImages, testLabels).Map((x, y) => (x / 255f, y)).Batch(64));
/// foreach (var (x, y) in ds.Take(1)) Console.WriteLine(Tensor.FormatShape(x.Shape));   // (64, 28, 28, 1)
/// </code></example>
public abstract partial class Dataset : IEnumerable<(Tensor X, Tensor? Y)>, IBatchGenerator, IDisposable
{
    /// <summary>Let the dataset choose: for <c>numParallelCalls</c>, one call per core; for <see cref="Prefetch"/>, 2 elements.
    /// (tf.data.AUTOTUNE.)</summary>
    public const int Autotune = -1;

    /// <summary><see cref="Cardinality"/> of an endless dataset (<c>Repeat()</c>): tf.data.INFINITE_CARDINALITY.</summary>
    public const long InfiniteCardinality = -1;

    /// <summary><see cref="Cardinality"/> when the count is only known after a pass: tf.data.UNKNOWN_CARDINALITY.</summary>
    public const long UnknownCardinality = -2;

    private DatasetIterator? _generatorPass;
    private Element _held;

    private protected Dataset() { }

    /// <summary>The number of elements in one pass (tf's <c>cardinality()</c>), or <see cref="InfiniteCardinality"/> /
    /// <see cref="UnknownCardinality"/>.</summary>
    public abstract long Cardinality { get; }

    /// <summary>Samples in one pass (rows of every batch), or -1 when not known without a pass.</summary>
    internal abstract long Samples { get; }

    /// <summary>Starts one pass.</summary>
    internal abstract DatasetIterator CreateIterator();

    /// <summary>Whether the elements are batches made by <see cref="Batch"/> (so <see cref="Unbatch"/> can count them).</summary>
    internal virtual bool IsBatched => false;

    // ---- sources ----

    /// <summary>
    /// One element per row of <paramref name="x"/> (and <paramref name="y"/>): tf's <c>from_tensor_slices</c>. Rows are
    /// copied out when read, so the tensors can be large; <paramref name="y"/> needs as many rows as <paramref name="x"/>.
    /// </summary>
    /// <example><code>var ds = Dataset.FromTensors(x, y).Batch(32);</code></example>
    public static Dataset FromTensors(Tensor x, Tensor? y = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0) throw new ArgumentException($"Dataset.FromTensors needs tensors with a first (sample) axis, but x is a scalar. Reshape it to (n, ...).", nameof(x));
        if (y is not null && (y.Rank == 0 || y.Dim(0) != x.Dim(0)))
            throw new ArgumentException($"Dataset.FromTensors: x has {x.Dim(0)} rows (shape {Tensor.FormatShape(x.Shape)}) but y has shape {Tensor.FormatShape(y.Shape)}. Give one target row per input row.", nameof(y));
        return new SliceDataset(x, y);
    }

    /// <summary>The integers 0 .. <paramref name="count"/> - 1 as scalar tensors (tf's <c>Dataset.range</c>), to build a
    /// dataset from an index (a list of files, say) with <see cref="Map(Func{Tensor, Tensor}, int?)"/>.</summary>
    /// <example><code>var squares = Dataset.Range(10).Map(i => Tensor.FromArray([i[0] * i[0]], 1));</code></example>
    public static Dataset Range(int count)
    {
        if (count < 0 || count > 1 << 24)
            throw new ArgumentOutOfRangeException(nameof(count), $"Dataset.Range count must be 0 .. 16,777,216 (exact as float32), got {count}.");
        return new RangeDataset(count);
    }

    // ---- enumeration ----

    /// <summary>One pass over the elements (a new pass each time: shuffled anew, prefetching from the start).</summary>
    public IEnumerator<(Tensor X, Tensor? Y)> GetEnumerator() => Enumerate(CancellationToken.None).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One pass that stops with <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/>
    /// is cancelled, also while a stage waits for a background thread.</summary>
    public IEnumerable<(Tensor X, Tensor? Y)> Enumerate(CancellationToken cancellationToken)
    {
        using var pass = CreateIterator();
        while (pass.MoveNext(cancellationToken, out var e)) yield return (e.X, e.Y);
    }

    // ---- IBatchGenerator: what Fit, Evaluate and Predict read ----

    int IBatchGenerator.StepsPerEpoch => Cardinality switch
    {
        InfiniteCardinality => throw new InvalidOperationException("The dataset is endless (Repeat() without a count), so one pass is no epoch: pass stepsPerEpoch to Fit (and validationSteps, or steps to Evaluate/Predict)."),
        UnknownCardinality => throw new InvalidOperationException("The dataset's length is not known before a pass (Unbatch of elements that were not made by Batch): pass stepsPerEpoch to Fit (and validationSteps, or steps to Evaluate/Predict)."),
        0 => throw new InvalidOperationException("The dataset is empty (0 elements): nothing to train or evaluate on. Check Take/Skip counts and the data folder."),
        > int.MaxValue => throw new InvalidOperationException($"The dataset has {Cardinality} elements, more than one epoch can count; pass stepsPerEpoch."),
        _ => (int)Cardinality,
    };

    int IBatchGenerator.SampleCount => (int)Math.Min(int.MaxValue, Samples >= 0 ? Samples : Math.Max(Cardinality, 0));

    (Tensor X, Tensor? Y) IBatchGenerator.Next() => ((IBatchGenerator)this).Next(CancellationToken.None);

    (Tensor X, Tensor? Y) IBatchGenerator.Next(CancellationToken cancellationToken)
    {
        // The batch handed out last time is done with (IBatchGenerator's contract): its buffer may be reused.
        _held.Lease?.Release();
        _held = default;
        try
        {
            _generatorPass ??= CreateIterator();
            if (!_generatorPass.MoveNext(cancellationToken, out var e))
            {
                _generatorPass.Dispose();   // end of a pass: the next epoch is a new pass (reshuffled)
                _generatorPass = CreateIterator();
                if (!_generatorPass.MoveNext(cancellationToken, out e))
                    throw new InvalidOperationException("The dataset yielded no elements in a whole pass: nothing to train or evaluate on. Check Take/Skip counts and the data folder.");
            }
            _held = e;
            return (e.X, e.Y);
        }
        catch (Exception)
        {
            _generatorPass?.Dispose();   // a failed pass ends; the next call starts a new one
            _generatorPass = null;
            throw;
        }
    }

    void IBatchGenerator.Reset() => EndGeneratorPass();

    /// <summary>Stops the pass that Fit, Evaluate or Predict left open (its prefetch thread), if any. Datasets
    /// read with <c>foreach</c> need no disposing.</summary>
    public void Dispose()
    {
        EndGeneratorPass();
        GC.SuppressFinalize(this);
    }

    private void EndGeneratorPass()
    {
        _held = default;
        _generatorPass?.Dispose();
        _generatorPass = null;
    }

    /// <summary>A description such as "Dataset (125 elements)".</summary>
    public override string ToString() => $"{GetType().Name} ({Cardinality switch { InfiniteCardinality => "endless", UnknownCardinality => "unknown length", var n => $"{n} elements" }})";
}
