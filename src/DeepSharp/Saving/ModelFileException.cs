namespace DeepSharp.Saving;

/// <summary>
/// A model or weights file could not be read or written: it is missing, truncated, not a <c>.keras</c> zip,
/// or its contents do not fit the model. The message names the file and what is wrong.
/// </summary>
/// <example><code>
/// try { var model = Model.Load("cats.keras"); }
/// catch (ModelFileException e) { Console.WriteLine(e.Message); }
/// </code></example>
public sealed class ModelFileException : IOException
{
    public ModelFileException(string filePath, string message, Exception? inner = null)
        : base($"{filePath}: {message}", inner) => FilePath = filePath;

    /// <summary>The file that was being read or written.</summary>
    public string FilePath { get; }
}
