namespace DeepSharp.Models;

/// <summary>The weights' regularizers in the training loss (Keras: the layers' losses that compute_loss adds).</summary>
public partial class Model
{
    /// <summary>
    /// Σ over trainable weights of their regularizer's penalty (Keras: <c>sum(model.losses)</c> added by <c>compute_loss</c>
    /// to every batch's loss, in training and evaluation alike); 0 without regularizers.
    /// </summary>
    internal double RegularizationPenalty()
    {
        double penalty = 0;
        foreach (var p in _parameterCache)
            if (p.Regularizer is { } r && p.Trainable) penalty += r.Call(p.Value);
        return penalty;
    }

    /// <summary>Adds <paramref name="scale"/> × each regularizer's gradient into its trainable weight's gradient.</summary>
    internal void AddRegularizationGradients(float scale)
    {
        foreach (var p in _parameterCache)
            if (p.Regularizer is { } r && p.Trainable) r.AddGradient(p.Value, p.Grad, scale);
    }
}
