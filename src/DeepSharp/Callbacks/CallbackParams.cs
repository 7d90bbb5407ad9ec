namespace DeepSharp.Callbacks;

/// <summary>What a callback knows about the running Fit or Evaluate (Keras: <c>callback.params</c>).</summary>
/// <param name="Epochs">The epochs Fit runs to (1 for Evaluate).</param>
/// <param name="Steps">Batches per epoch (or per Evaluate).</param>
/// <param name="Verbose">Fit's or Evaluate's verbose argument: 0 silent, 1 progress bar, 2 one line per epoch.</param>
public sealed record CallbackParams(int Epochs, int Steps, int Verbose);
