namespace DeepSharp.Training;

/// <summary>Training stopped because something went wrong, e.g. the loss became NaN.</summary>
public sealed class TrainingException(string message) : Exception(message);
