namespace DeepSharp.Metrics;

/// <summary>
/// A metric as Keras 3 keeps it: a few state variables (a sum and a count, or true/false positives per threshold) that
/// every batch adds to, and a <see cref="Result"/> computed from them. The state is only ever summed, over batches and
/// over the ranks of data-parallel training, so the result of several batches or ranks is that of one big batch.
/// Compile takes metrics as Keras' names or as objects: "accuracy" resolves to binary, sparse or categorical accuracy
/// from the model's output shape and the loss, as Keras 3 resolves it from the shapes of the targets and predictions.
/// </summary>
/// <example><code>
/// model.Compile(optimizer: "rmsprop", loss: "binary_crossentropy", metrics: ["accuracy", new AUC()]);
/// var auc = new AUC();
/// auc.Update(predictions, targets);   // (batch, 1) probabilities and 0/1 targets
/// Console.WriteLine(auc.Result);
/// </code></example>
public abstract class Metric
{
    private readonly double[] _state;

    /// <summary>Keras' name in logs and History, e.g. "accuracy".</summary>
    public string Name { get; }

    /// <summary>A metric named <paramref name="name"/> with <paramref name="stateSize"/> summed state variables.</summary>
    protected Metric(string name, int stateSize)
    {
        if (stateSize < 1) throw new ArgumentOutOfRangeException(nameof(stateSize), $"Metric '{name}': a metric needs at least one state variable, got {stateSize}.");
        Name = name;
        _state = new double[stateSize];
    }

    /// <summary>The metric's value for the batches seen since the last <see cref="Reset"/>.</summary>
    public double Result => ResultFrom(_state);

    /// <summary>The summed state variables behind <see cref="Result"/> (Keras' metric variables, flattened).</summary>
    public ReadOnlySpan<double> State => _state;

    /// <summary>How many state variables the metric sums.</summary>
    public int StateSize => _state.Length;

    /// <summary>Forgets the batches seen (Fit calls it at the start of every epoch).</summary>
    public void Reset() => Array.Clear(_state);

    /// <summary>Adds one batch's statistics to the state (no allocation).</summary>
    public void Update(Tensor predictions, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        UpdateState(predictions, targets, _state);
    }

    /// <summary>Adds one batch's statistics to <paramref name="state"/> (only ever add: states are summed across batches and ranks).</summary>
    protected abstract void UpdateState(Tensor predictions, Tensor targets, Span<double> state);

    /// <summary>The metric's value for a state (its own, or the sum of several ranks' states).</summary>
    public abstract double ResultFrom(ReadOnlySpan<double> state);

    /// <summary>Keras' class name, e.g. "BinaryAccuracy".</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>Keras' config of the metric ({"name", "dtype"} plus its own arguments).</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["name"] = Name, ["dtype"] = "float32" };

    /// <summary>True when the metric was given by name (saved as the name, as Keras does).</summary>
    internal bool GivenByName { get; set; }

    /// <summary>Keras' names convert to metrics; "accuracy" is resolved by Compile from the loss.</summary>
    public static implicit operator Metric(string name) => new NamedMetric(name);

    /// <summary>The metric for this loss and output shape: itself, except for names that depend on them ("accuracy").</summary>
    internal virtual Metric ResolveFor(Losses.Loss loss, int[]? outputShape) => this;

    /// <summary>
    /// A metric by Keras' name for a loss: "accuracy"/"acc" becomes categorical, sparse or binary accuracy; the other
    /// names are those of keras.metrics (see <see cref="MetricNames"/>).
    /// </summary>
    public static Metric Get(string name, Losses.Loss loss) => Get(name, loss, null);

    /// <summary>A metric by name for a loss and the model's output shape per sample ("accuracy" as Keras 3 resolves it).</summary>
    internal static Metric Get(string name, Losses.Loss loss, int[]? outputShape)
    {
        var m = MetricNames.Create(name, loss, outputShape);
        m.GivenByName = true;
        return m;
    }

    /// <summary>Throws the one message for a batch whose targets do not fit the predictions.</summary>
    private protected void ShapeError(Tensor predictions, Tensor targets, string expected) =>
        throw new ArgumentException($"Metric '{Name}' ({ClassName}) got predictions of shape {Tensor.FormatShape(predictions.Shape)} and targets of shape " +
            $"{Tensor.FormatShape(targets.Shape)}; {expected}");

    /// <summary>A metric given by name, resolved when the loss is known.</summary>
    private sealed class NamedMetric(string name) : Metric(name, 1)
    {
        internal override Metric ResolveFor(Losses.Loss loss, int[]? outputShape) => Get(Name, loss, outputShape);

        protected override void UpdateState(Tensor predictions, Tensor targets, Span<double> state) =>
            throw new InvalidOperationException($"Metric '{Name}' was given by name and is resolved by Model.Compile; pass it to Compile before using it.");

        public override double ResultFrom(ReadOnlySpan<double> state) => 0;
    }
}
