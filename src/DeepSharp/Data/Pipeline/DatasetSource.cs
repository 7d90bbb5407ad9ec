namespace DeepSharp.Data;

/// <summary>
/// The base of a dataset type of your own (tf.data's <c>from_generator</c>; Keras 3's <c>PyDataset</c> as a class you
/// subclass): say how many elements one pass has (<see cref="Dataset.Cardinality"/>) and yield them in
/// <see cref="ReadElements"/>. The result is an ordinary <see cref="Dataset"/>: every stage (Map, Shuffle, Batch, Cache,
/// Prefetch, ...) applies to it, and <c>Model.Fit</c>, <c>Evaluate</c> and <c>Predict</c> read it.
/// <para>
/// <see cref="ReadElements"/> is called once per pass (each <c>foreach</c>, each epoch), so a C# iterator method
/// (<c>yield return</c>) reads the source afresh every time. It may also return another <see cref="Dataset"/> (a
/// pipeline of the public stages) that the type stands for: Vision's <c>ImageDataset</c> is a listing of files plus the
/// pipeline that decodes and batches them, and keeps that pipeline's batch buffers, background threads and cancellation.
/// An exception thrown while reading surfaces unchanged on the thread that reads the dataset: say in it which file or
/// record failed.
/// </para>
/// </summary>
/// <example><code>
/// // A source of (x, y) pairs read from a CSV file, one element per line: "x1,x2,label".
/// public sealed class CsvPoints(string path) : DatasetSource
/// {
///     private readonly string[] _lines = File.ReadAllLines(path);
///     public override long Cardinality => _lines.Length;
///     protected override IEnumerable&lt;(Tensor X, Tensor? Y)&gt; ReadElements()
///     {
///         foreach (var line in _lines)
///         {
///             var v = line.Split(',').Select(float.Parse).ToArray();
///             yield return (Tensor.FromArray(v[..2], 2), Tensor.FromArray(v[2..], 1));
///         }
///     }
/// }
///
/// model.Fit(new CsvPoints("points.csv").Shuffle(1000, seed: 1).Batch(32), epochs: 5);
/// </code></example>
public abstract class DatasetSource : Dataset
{
    /// <summary>A source; the subclass overrides <see cref="Dataset.Cardinality"/> and <see cref="ReadElements"/>.</summary>
#pragma warning disable RS0022 // intended: this class is the one public way to subclass Dataset (it has no protected members to expose)
    protected DatasetSource() { }
#pragma warning restore RS0022

    /// <summary>
    /// One pass over the elements, in order: the input and the target (null when there is none). Called once per pass.
    /// Return a C# iterator (<c>yield return</c>), or another <see cref="Dataset"/> this type stands for. The elements
    /// are handed on as they are: yield new tensors (or tensors nobody changes) rather than one buffer overwritten each time.
    /// </summary>
    protected abstract IEnumerable<(Tensor X, Tensor? Y)> ReadElements();

    /// <summary>Whether each element is already a batch (its first axis counts samples), so that <see cref="Dataset.Unbatch"/>
    /// and Fit's progress count samples. Default false.</summary>
    protected virtual bool ElementsAreBatches => false;

    /// <summary>Samples in one pass (the rows of all batches when <see cref="ElementsAreBatches"/>), or -1 when not known.
    /// Default: <see cref="Dataset.Cardinality"/> for single elements, -1 for batches.</summary>
    protected virtual long SampleCount => ElementsAreBatches || Cardinality < 0 ? -1 : Cardinality;

    internal sealed override long Samples => SampleCount;

    internal sealed override bool IsBatched => ElementsAreBatches;

    internal sealed override DatasetIterator CreateIterator()
    {
        var elements = ReadElements() ?? throw new InvalidOperationException(
            $"{GetType().Name}.ReadElements returned null. Return the elements of one pass (a C# iterator with yield return), or an empty sequence.");
        return elements is Dataset pipeline ? pipeline.CreateIterator() : new Iterator(GetType().Name, elements.GetEnumerator());
    }

    private sealed class Iterator(string source, IEnumerator<(Tensor X, Tensor? Y)> elements) : DatasetIterator
    {
        private long _index;

        public override bool MoveNext(CancellationToken cancellationToken, out Element element)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!elements.MoveNext()) { element = default; return false; }
            var (x, y) = elements.Current;
            if (x is null)
                throw new DatasetException($"{source}.ReadElements yielded no input tensor (null) for element {_index}. Yield a tensor for x.", _index);
            _index++;
            element = new Element(x, y);
            return true;
        }

        public override void Dispose() => elements.Dispose();
    }
}
