using DeepSharp.Models;

namespace DeepSharp.Callbacks;

/// <summary>
/// Hooks into Fit (Keras: keras.callbacks.Callback). Override the events you need; set
/// <c>Model.StopTraining</c> to end training after the current epoch.
/// </summary>
/// <example><code>
/// model.Fit(x, y, epochs: 20, validationSplit: 0.2f,
///     callbacks: [new EarlyStopping(monitor: "val_loss", patience: 2)]);
/// </code></example>
public abstract class Callback
{
    /// <summary>The model being trained (set by Fit).</summary>
    public Model? Model { get; internal set; }

    public virtual void OnTrainBegin() { }
    public virtual void OnTrainEnd() { }
    public virtual void OnEpochBegin(int epoch) { }

    /// <summary><paramref name="logs"/> holds loss, metrics and val_ values of the finished epoch (epoch counts from 0).</summary>
    public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) { }
    public virtual void OnBatchEnd(int batch, double loss) { }
}
