namespace DeepSharp.Data;

/// <summary>
/// An exception about one file that names it (<see cref="Path"/>) in its message, such as Vision's
/// <c>ImageDecodeException</c>. Dataset stages let it surface unchanged: <see cref="Dataset.Map(Func{Tensor, Tensor?, ValueTuple{Tensor, Tensor?}}, int?)"/>
/// does not wrap it in a <see cref="DatasetException"/>, since the file already says which element failed.
/// </summary>
/// <example><code>
/// public sealed class BadRecordException(string path, string message) : Exception(message), IFileError
/// {
///     public string Path { get; } = path;
/// }
/// </code></example>
public interface IFileError
{
    /// <summary>The file the error is about.</summary>
    string Path { get; }
}
