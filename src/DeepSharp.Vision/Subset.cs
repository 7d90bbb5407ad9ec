namespace DeepSharp.Vision;

/// <summary>Which part of a folder <c>validationSplit</c> selects (Keras' <c>subset</c>).</summary>
/// <example><code>var val = gen.FlowFromDirectory(dir, (150, 150), subset: Subset.Validation);</code></example>
public enum Subset
{
    /// <summary>All files after the first <c>validationSplit</c> fraction of each class.</summary>
    Training,
    /// <summary>The first <c>validationSplit</c> fraction of each class's sorted files.</summary>
    Validation,
}
