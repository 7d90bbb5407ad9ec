namespace DeepSharp.Data;

/// <summary>
/// A <see cref="Dataset"/> stage failed: a Map function threw, elements of different shapes were batched, a cache file is
/// damaged. The message names the stage and the element; <see cref="Exception.InnerException"/> holds the original
/// error of a Map function. Errors that already name their file (an <see cref="IFileError"/>: an undecodable image) surface unchanged instead.
/// </summary>
/// <example><code>
/// try { foreach (var (x, _) in ds) { } }
/// catch (DatasetException e) { Console.WriteLine(e.Message); }   // "Dataset.Map: the function failed on element 3: ..."
/// </code></example>
public sealed class DatasetException : Exception
{
    /// <summary>The index of the element (in the stage's input order) that failed, or -1 when no element is concerned.</summary>
    public long ElementIndex { get; }

    /// <summary>A stage error about element <paramref name="elementIndex"/> (-1: none).</summary>
    public DatasetException(string message, long elementIndex = -1, Exception? inner = null) : base(message, inner) => ElementIndex = elementIndex;
}
