using DeepSharp.Models;

namespace DeepSharp.Callbacks;

/// <summary>
/// Hooks into Fit and Evaluate (Keras: keras.callbacks.Callback). Override the events you need; set
/// <c>Model.StopTraining</c> to end training (Fit stops after the current batch and still ends the epoch, as Keras 3 does).
/// The progress bar is itself a callback (<see cref="ProgbarLogger"/>), added by Fit when <c>verbose</c> is not 0.
/// </summary>
/// <example><code>
/// model.Fit(x, y, epochs: 20, validationSplit: 0.2,
///     callbacks: [new EarlyStopping(monitor: "val_loss", patience: 2), new CSVLogger("training.csv")]);
/// </code></example>
public abstract class Callback
{
    /// <summary>The model being trained (set by Fit and Evaluate).</summary>
    public Model? Model { get; internal set; }

    /// <summary>Keras' params: epochs, steps per epoch and verbosity of the running Fit or Evaluate.</summary>
    public CallbackParams Params { get; internal set; } = new(1, 0, 0);

    /// <summary>
    /// True for callbacks that write files or print (the progress bar, CSVLogger, ModelCheckpoint, BackupAndRestore):
    /// in a world of several ranks (DeepSharp.Distributed) Fit runs them on rank 0 only. Others run on every rank and
    /// see the same global logs, so they decide the same everywhere (EarlyStopping, ReduceLROnPlateau).
    /// </summary>
    internal virtual bool RootOnly => false;

    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin() { }

    /// <summary>After the last epoch, when Fit ends normally (not when it throws or is cancelled).</summary>
    public virtual void OnTrainEnd() { }

    /// <summary>At the start of an epoch (counted from 0).</summary>
    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>
    /// <paramref name="logs"/> holds loss, metrics and val_ values of the finished epoch (epoch counts from 0). It is the
    /// dictionary History records after every callback ran, so a callback may add entries (Keras' LR callbacks add "learning_rate").
    /// </summary>
    public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>Before a training batch (counted from 0 in each epoch).</summary>
    public virtual void OnBatchBegin(int batch) { }

    /// <summary>
    /// After a training batch: <paramref name="logs"/> holds the epoch's running mean loss and metrics so far
    /// (Keras' on_train_batch_end). The dictionary is reused for the next batch; copy it to keep it.
    /// </summary>
    public virtual void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>At the start of Evaluate (not of the validation inside Fit).</summary>
    public virtual void OnTestBegin() { }

    /// <summary>After an Evaluate batch, with the running mean loss and metrics.</summary>
    public virtual void OnTestBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>At the end of Evaluate, with its final loss and metrics.</summary>
    public virtual void OnTestEnd(IReadOnlyDictionary<string, double> logs) { }
}
