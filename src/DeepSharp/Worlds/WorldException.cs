namespace DeepSharp.Worlds;

/// <summary>
/// A collective operation failed: a rank died, hung past the timeout, or the ranks disagree (their weights diverged,
/// or they called different operations). The message names the rank(s).
/// </summary>
public class WorldException : Exception
{
    /// <summary>The ranks the error is about (may be empty when they cannot be told).</summary>
    public IReadOnlyList<int> Ranks { get; }

    public WorldException(string message, IReadOnlyList<int>? ranks = null, Exception? inner = null) : base(message, inner) =>
        Ranks = ranks ?? [];
}
