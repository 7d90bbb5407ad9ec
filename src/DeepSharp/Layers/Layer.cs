using DeepSharp.Initializers;

namespace DeepSharp.Layers;

/// <summary>
/// The base of every layer: a configuration, its weights, and a forward and a backward pass that call
/// the CPU backend's ops (<c>DeepSharp.Backends.Cpu</c>). A layer keeps its output and input-gradient tensors between steps
/// (they are overwritten by the next call), so training allocates nothing after the first step.
/// </summary>
/// <remarks>
/// Shapes given to and returned by <see cref="ComputeOutputShape"/> are per sample (no batch axis),
/// channels last. Names are generated as Keras does: conv2d, conv2d_1, ...
/// Your own layer subclasses <see cref="Layer"/> (or <see cref="SingleInputLayer"/>), creates its weights in
/// <c>Build</c> with <see cref="AddWeight(string, int[], Initializer, bool)"/>, implements <see cref="Forward"/> and
/// <see cref="Backward"/>, returns its arguments from <see cref="GetConfig"/>, and rebuilds itself from them in a static
/// <c>FromConfig</c> (<see cref="Saving.ILayerFromConfig{TSelf}"/>); <c>LayerRegistry.Register&lt;MyLayer&gt;()</c> lets
/// <c>Model.Load</c> find it. See examples/CustomLayer.
/// </remarks>
/// <example><code>
/// public sealed class Scale(string? name = null) : SingleInputLayer(name), ILayerFromConfig&lt;Scale&gt;
/// {
///     private Parameter? _alpha;
///     private Tensor? _x;
///     protected override int[] OutputShape(int[] input) => input;
///     protected override void Build(int[] input) => _alpha = AddWeight("alpha", [input[^1]], "ones");
///     public override Tensor Forward(Tensor x, bool training) { _x = x; /* y = x * alpha */ ... }
///     public override void Backward(Tensor dy, bool needInputGradients) { /* alpha.Grad, InputGradient */ ... }
///     public static Scale FromConfig(LayerConfig c) => new(c.Name);
/// }
/// LayerRegistry.Register&lt;Scale&gt;();
/// </code></example>
public abstract partial class Layer
{
    private static readonly Dictionary<string, int> NameCounts = new();
    private readonly List<Parameter> _parameters = new();
    private bool _trainable = true;

    protected Layer(string? name, int[]? inputShape = null)
    {
        Name = name ?? UniqueName(KerasName);
        DeclaredInputShape = inputShape;
    }

    /// <summary>The layer's name, unique per model (used by <c>GetLayer</c> and in saved files).</summary>
    public string Name { get; set; }

    /// <summary>The Keras class name shown by Summary, e.g. "Conv2D".</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>Keras' snake_case base for generated names, e.g. "conv2d", "max_pooling2d".</summary>
    protected virtual string KerasName => ToSnakeCase(GetType().Name);

    /// <summary>
    /// False freezes the layer: no weight gradients are computed and the optimizer leaves its weights alone; a frozen
    /// BatchNormalization runs in inference mode. A change takes effect at the next training step (no recompile needed).
    /// </summary>
    public virtual bool Trainable { get => _trainable; set => _trainable = value; }

    /// <summary>The per-sample input shape given to the constructor, if any (the first layer of a Sequential).</summary>
    public int[]? DeclaredInputShape { get; }

    /// <summary>All weights, trainable and not, in creation order.</summary>
    public virtual IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>True once the layer has created its weights.</summary>
    public bool IsBuilt { get; private set; }

    /// <summary>Total number of weight values.</summary>
    public long CountParams() => Parameters.Sum(p => (long)p.Value.Size);

    /// <summary>The per-sample output shape for per-sample input shapes; throws if the inputs do not fit.</summary>
    public abstract int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes);

    /// <summary>Creates the weights once the input shapes are known.</summary>
    protected virtual void Build(IReadOnlyList<int[]> inputShapes) { }

    internal void EnsureBuilt(IReadOnlyList<int[]> inputShapes)
    {
        if (IsBuilt) return;
        Build(inputShapes);
        IsBuilt = true;
    }

    /// <summary>
    /// Runs the layer on a batch (inputs are (batch, ...) tensors). The result may be a buffer the layer owns and
    /// reuses: the model reads it before the layer's next call. <paramref name="training"/> is true inside Fit.
    /// </summary>
    public abstract Tensor Forward(IReadOnlyList<Tensor> inputs, bool training);

    /// <summary>
    /// Back-propagates dLoss/dOutput of the last <see cref="Forward"/>: adds nothing, but <b>writes</b> each trainable
    /// weight's <see cref="Parameter.Grad"/> and, when <paramref name="needInputGradients"/>, sets
    /// <see cref="InputGradients"/> (one dLoss/dInput per input, same shapes as the inputs).
    /// </summary>
    public abstract void Backward(Tensor outputGradient, bool needInputGradients);

    /// <summary>dLoss/dInput for each input after <see cref="Backward"/> (null where not asked for).</summary>
    public Tensor?[] InputGradients { get; protected set; } = new Tensor?[1];

    // ---- what the graph executor passes to a backward pass ----

    /// <summary>The activation applied last by this layer, if it has one.</summary>
    internal virtual ActivationKind? OutputActivation => null;

    /// <summary>Pre-activation values of the last forward for a layer ending in softmax or sigmoid (null otherwise).</summary>
    internal virtual Tensor? Logits => null;

    /// <summary>
    /// The graph executor's backward call: <see cref="Backward(Tensor, bool)"/> with the arguments a model passes
    /// (whether weight gradients are wanted at all, whether the gradient is dLoss/dLogits of a fused loss). Layers
    /// that take these as arguments (Conv2D, Dense, Activation, Model) override it; for the others, and for user
    /// layers, <see cref="ComputeWeightGradients"/> answers <see cref="BackwardArgs.WeightGradients"/> during the call.
    /// </summary>
    internal virtual void Backprop(Tensor outputGradient, in BackwardArgs args)
    {
        if (args.FromLogits)
            throw new InvalidOperationException($"Layer '{Name}' ({ClassName}) has no softmax or sigmoid output whose logits a loss could read; it cannot take dLoss/dLogits.");
        if (args.WeightGradients)
        {
            Backward(outputGradient, args.NeedInputGradients);
            return;
        }
        _weightGradientsOff = true;   // what ComputeWeightGradients tells this layer's own Backward, for this call only
        try { Backward(outputGradient, args.NeedInputGradients); }
        finally { _weightGradientsOff = false; }
    }

    private bool _weightGradientsOff;

    /// <summary>
    /// Whether <see cref="Backward(Tensor, bool)"/> should write the weights' gradients: the layer is trainable and the
    /// model is not taking a gradient with respect to inputs or activations only (then the weights' gradients are
    /// left as they were).
    /// </summary>
    protected internal bool ComputeWeightGradients => Trainable && !_weightGradientsOff;

    // ---- building functional models ----

    /// <summary>Applies the layer to a symbolic input while building a functional <c>Model</c>.</summary>
    public SymbolicTensor Call(params SymbolicTensor[] inputs)
    {
        if (inputs.Length == 0) throw new ArgumentException($"Layer '{Name}': Call needs at least one input.");
        var shapes = inputs.Select(i => i.Shape).ToArray();
        var outShape = ComputeOutputShape(shapes);
        EnsureBuilt(shapes);
        _callInputs = inputs;
        return _callOutput = new SymbolicTensor(outShape, this, inputs);
    }

    private SymbolicTensor[]? _callInputs;
    private SymbolicTensor? _callOutput;

    /// <summary>
    /// The symbolic output of this layer's last call (Keras: layer.output), for building a model that shares
    /// its layers, e.g. the activation model <c>new Model(model.Input, outputs: [conv.Output, pool.Output])</c>.
    /// </summary>
    /// <example><code>var activations = new Model(model.Input, outputs: model.Layers.Take(4).Select(l => l.Output).ToList());</code></example>
    public virtual SymbolicTensor Output => _callOutput
        ?? throw new InvalidOperationException($"Layer '{Name}' has not been called on an input yet, so it has no output. Build the model first (give its first layer an inputShape, or call Predict once).");

    /// <summary>The symbolic input of this layer's last call (Keras: layer.input); a layer with several inputs throws (use <see cref="Inputs"/>).</summary>
    public virtual SymbolicTensor Input => Inputs.Count == 1 ? Inputs[0]
        : throw new InvalidOperationException($"Layer '{Name}' ({ClassName}) has {Inputs.Count} inputs; use Inputs[i].");

    /// <summary>The symbolic inputs of this layer's last call.</summary>
    public virtual IReadOnlyList<SymbolicTensor> Inputs => _callInputs
        ?? throw new InvalidOperationException($"Layer '{Name}' has not been called on an input yet, so it has no input. Build the model first (give its first layer an inputShape, or call Predict once).");

    /// <summary>
    /// Applies the layer to one symbolic input with its mode fixed: <c>training: false</c> runs it in inference mode even
    /// during Fit (Keras' <c>base_model(x, training=False)</c>: a BatchNormalization inside keeps its moving statistics,
    /// and still trains gamma and beta once unfrozen; Dropout is off).
    /// </summary>
    /// <example><code>
    /// var inputs = new Input(150, 150, 3);
    /// var x = convBase.Call(inputs, training: false);
    /// </code></example>
    public SymbolicTensor Call(SymbolicTensor input, bool training)
    {
        var t = Call(input);
        return _callOutput = new SymbolicTensor(t.Shape, this, t.Inputs) { Training = training };
    }

    /// <summary>The constructor arguments, by Keras' names, for saving.</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["name"] = Name, ["trainable"] = Trainable };

    // ---- helpers for subclasses ----

    /// <summary>
    /// Adds a weight (Keras: add_weight), filled by <paramref name="initializer"/> from the global seeded generator.
    /// Weights are saved and loaded in the order they are added; trainable ones are updated by the optimizer.
    /// </summary>
    /// <example><code>_kernel = AddWeight("kernel", [input[^1], Units], new GlorotUniform());</code></example>
    protected Parameter AddWeight(string name, int[] shape, Initializer initializer, bool trainable = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(initializer);
        if (shape.Length == 0 || shape.Any(d => d <= 0))
            throw new ArgumentException($"Layer '{Name}': weight '{name}' has shape {Tensor.FormatShape(shape)}; every dimension must be positive.", nameof(shape));
        if (_parameters.Any(p => p.Name == name))
            throw new ArgumentException($"Layer '{Name}' already has a weight named '{name}'; give each weight its own name.", nameof(name));
        Limits.WeightBudget.Take(this, name, shape);   // size checked before any memory is allocated
        var value = new Tensor(shape);
        initializer.Fill(value.Span, shape, Rng.Fork());
        var p = new Parameter(this, name, value, trainable);
        _parameters.Add(p);
        return p;
    }

    /// <summary>Adds a weight whose initializer is given by Keras' name: "glorot_uniform", "zeros", "ones", "he_normal", ...</summary>
    /// <example><code>_alpha = AddWeight("alpha", [channels], "ones");</code></example>
    protected Parameter AddWeight(string name, int[] shape, string initializer = "glorot_uniform", bool trainable = true) =>
        AddWeight(name, shape, Initializer.Get(initializer), trainable);

    /// <summary>Throws Keras-style when an input does not have the expected rank.</summary>
    protected void ExpectRank(int[] shape, int rank, string what)
    {
        if (shape.Length != rank)
            throw new ArgumentException($"Layer '{Name}' ({ClassName}) expects {what} of rank {rank + 1} (batch, {string.Join(", ", Enumerable.Range(0, rank).Select(_ => "…"))}) " +
                $"but got input of shape (None, {string.Join(", ", shape)}). Check the previous layer's output or the input shape; a Flatten layer turns images into vectors.");
    }

    /// <summary>Keras' automatic names: the first "dense", then "dense_1", "dense_2", ...</summary>
    internal static string UniqueName(string baseName)
    {
        var counts = ScopedNameCounts.Value ?? NameCounts;
        lock (counts)
        {
            counts.TryGetValue(baseName, out int n);
            counts[baseName] = n + 1;
            return n == 0 ? baseName : $"{baseName}_{n}";
        }
    }

    private static readonly AsyncLocal<Dictionary<string, int>?> ScopedNameCounts = new();

    /// <summary>
    /// Layers created inside the returned scope (on this thread and the tasks it starts) are named from fresh
    /// counters, as in a new Keras session after <c>keras.backend.clear_session()</c>: the first Conv2D is
    /// "conv2d" again, the model "sequential". The names drawn outside it are untouched, and disposing the scope
    /// returns to them. A program that builds helper models before the one it saves builds each in its own scope.
    /// </summary>
    /// <example><code>
    /// using (Layer.NameScope()) _ = ChapterModels.SmallConvnet(64);   // a throw-away check
    /// using var names = Layer.NameScope();
    /// var model = ChapterModels.SmallConvnet(64);                       // conv2d, conv2d_1, ..., sequential
    /// </code></example>
    public static IDisposable NameScope()
    {
        var previous = ScopedNameCounts.Value;
        ScopedNameCounts.Value = new Dictionary<string, int>();
        return new NameScopeHandle(previous);
    }

    private sealed class NameScopeHandle(Dictionary<string, int>? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            ScopedNameCounts.Value = previous;
        }
    }

    /// <summary>Restarts automatic names (Keras: clear_session); inside a <see cref="NameScope"/>, the scope's.</summary>
    public static void ResetNames()
    {
        var counts = ScopedNameCounts.Value ?? NameCounts;
        lock (counts) counts.Clear();
    }

    /// <summary>Keras' to_snake_case: "MaxPooling2D" becomes "max_pooling2d", "Conv2D" becomes "conv2d".</summary>
    internal static string ToSnakeCase(string name)
    {
        var s = System.Text.RegularExpressions.Regex.Replace(name, "(.)([A-Z][a-z]+)", "$1_$2");
        s = System.Text.RegularExpressions.Regex.Replace(s, "([a-z])([A-Z])", "$1_$2");
        return s.ToLowerInvariant();
    }

    public override string ToString() => $"{ClassName} '{Name}'";
}
