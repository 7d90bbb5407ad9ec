using DeepSharp.Gradients;
using DeepSharp.Layers;
using DeepSharp.Optimizers.Schedules;

namespace DeepSharp.Optimizers;

/// <summary>
/// Updates weights from their gradients. A subclass is one <see cref="UpdateStep"/> (as in Keras 3) over
/// a weight, its gradient and its own state slots (momentum, moving averages), which are created on first use.
/// </summary>
/// <remarks>
/// Each step runs in Keras 3's order (<c>base_optimizer.py</c>, <c>apply</c> and <c>_backend_apply_gradients</c>): the
/// learning rate is read (a schedule evaluated at <see cref="Iterations"/>), the gradients are clipped
/// (<c>clipNorm</c> per weight, <c>globalClipNorm</c> over all, or <c>clipValue</c>: in place, in the gradient
/// tensors given), the weights decay (<c>weightDecay</c>: w -= w·decay·lr, decoupled from the gradient), every weight
/// takes its update, the moving average of the weights is updated (<c>useEma</c>), and <see cref="Iterations"/> grows by one.
/// </remarks>
/// <example><code>
/// model.Compile(optimizer: new RMSprop(learningRate: 1e-4), loss: "binary_crossentropy");
/// model.Compile(optimizer: "adam", loss: "categorical_crossentropy");
/// model.Compile(optimizer: new AdamW(learningRate: 1e-3, weightDecay: 0.004, clipNorm: 1.0), loss: "categorical_crossentropy");
/// </code></example>
public abstract partial class Optimizer
{
    private readonly Dictionary<Parameter, float[][]> _slots = new();
    private readonly List<WeightGradient> _step = [];
    private double _rate;

    /// <summary>An optimizer with a constant learning rate and none of the common options.</summary>
    protected Optimizer(double learningRate) : this(learningRate, learningRate) { }

    /// <summary>
    /// An optimizer with Keras 3's common arguments: <paramref name="learningRate"/> (a number or a schedule; null:
    /// <paramref name="defaultLearningRate"/>), decoupled <paramref name="weightDecay"/>, at most one of
    /// <paramref name="clipNorm"/>, <paramref name="clipValue"/> and <paramref name="globalClipNorm"/>, and the
    /// moving average of the weights (<paramref name="useEma"/>, <paramref name="emaMomentum"/>,
    /// <paramref name="emaOverwriteFrequency"/>).
    /// </summary>
    protected Optimizer(LearningRateSchedule? learningRate, double defaultLearningRate, double? weightDecay = null, double? clipNorm = null,
        double? clipValue = null, double? globalClipNorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null)
    {
        learningRate ??= defaultLearningRate;
        if (learningRate is ConstantLearningRate c)
        {
            CheckRate(c.Rate);
            _rate = c.Rate;
        }
        else Schedule = learningRate;
        if (weightDecay is { } wd && !(wd >= 0 && double.IsFinite(wd)))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), $"{GetType().Name}: weightDecay must be a finite number >= 0 (or null for none), got {wd}.");
        CheckClip(clipNorm, nameof(clipNorm));
        CheckClip(clipValue, nameof(clipValue));
        CheckClip(globalClipNorm, nameof(globalClipNorm));
        if ((clipNorm is not null ? 1 : 0) + (clipValue is not null ? 1 : 0) + (globalClipNorm is not null ? 1 : 0) > 1)
            throw new ArgumentException($"{GetType().Name}: only one of clipNorm, clipValue and globalClipNorm can be set (as in Keras). " +
                $"Got clipNorm={Show(clipNorm)}, clipValue={Show(clipValue)}, globalClipNorm={Show(globalClipNorm)}.");
        if (useEma && !(emaMomentum >= 0 && emaMomentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(emaMomentum), $"{GetType().Name}: emaMomentum must be in [0, 1], got {emaMomentum}.");
        if (useEma && emaOverwriteFrequency is < 1)
            throw new ArgumentOutOfRangeException(nameof(emaOverwriteFrequency), $"{GetType().Name}: emaOverwriteFrequency must be an integer >= 1 or null, got {emaOverwriteFrequency}.");
        WeightDecay = weightDecay;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
        GlobalClipNorm = globalClipNorm;
        UseEma = useEma;
        EmaMomentum = emaMomentum;
        EmaOverwriteFrequency = emaOverwriteFrequency;
    }

    private static string Show(double? v) => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null";

    private void CheckRate(double rate)
    {
        if (!(rate > 0) || double.IsInfinity(rate))
            throw new ArgumentOutOfRangeException("learningRate", $"{GetType().Name}: learningRate must be a positive finite number, got {rate}.");
    }

    private void CheckClip(double? value, string name)
    {
        if (value is { } v && !(v > 0))
            throw new ArgumentOutOfRangeException(name, $"{GetType().Name}: {name} must be a positive number (or null for no clipping), got {v}.");
    }

    /// <summary>
    /// The step size (Keras: learning_rate): the constant rate, or the schedule's value at <see cref="Iterations"/>.
    /// Setting it (as LearningRateScheduler and ReduceLROnPlateau do) is refused when a schedule drives it, as in Keras.
    /// </summary>
    public double LearningRate
    {
        get => Schedule is { } s ? s.Call(Iterations) : _rate;
        set
        {
            if (Schedule is { } s)
                throw new InvalidOperationException($"{GetType().Name} was created with the learning-rate schedule {s.ClassName} as its learningRate, " +
                    $"so its learning rate cannot be set (to {value}). A callback that sets the rate (LearningRateScheduler, ReduceLROnPlateau) " +
                    "needs an optimizer created with a number as learningRate; use either the schedule or the callback.");
            CheckRate(value);
            _rate = value;
        }
    }

    /// <summary>The schedule given as <c>learningRate</c>, or null when the rate is a number.</summary>
    public LearningRateSchedule? Schedule { get; }

    /// <summary>Decoupled weight decay (Keras: weight_decay): before each update w -= w·weightDecay·lr; null for none.</summary>
    public double? WeightDecay { get; }

    /// <summary>Each weight's gradient is rescaled to at most this L2 norm (Keras: clipnorm); null for none.</summary>
    public double? ClipNorm { get; }

    /// <summary>Every gradient value is clipped to [-clipValue, clipValue] (Keras: clipvalue); null for none.</summary>
    public double? ClipValue { get; }

    /// <summary>All gradients together are rescaled to at most this L2 norm (Keras: global_clipnorm); null for none.</summary>
    public double? GlobalClipNorm { get; }

    /// <summary>Whether a moving average of the weights is kept, and written into them at the end of Fit (Keras: use_ema).</summary>
    public bool UseEma { get; }

    /// <summary>The moving average's momentum (Keras: ema_momentum, default 0.99).</summary>
    public double EmaMomentum { get; }

    /// <summary>Every this many steps the weights are overwritten with their moving average (Keras: ema_overwrite_frequency); null: only at the end of Fit.</summary>
    public int? EmaOverwriteFrequency { get; }

    /// <summary>Update steps taken so far (Keras: iterations); Adam's bias correction and schedules use it.</summary>
    public long Iterations { get; internal set; }

    /// <summary>How many state arrays each weight needs.</summary>
    protected abstract int SlotCount { get; }

    /// <summary>Keras' name: "rmsprop", "sgd", "adam".</summary>
    public abstract string Name { get; }

    /// <summary>Updates one weight in place. <paramref name="slots"/> are this weight's state arrays; <paramref name="step"/> counts from 1.</summary>
    protected abstract void UpdateStep(Span<float> weight, ReadOnlySpan<float> gradient, float[][] slots, long step);

    /// <summary>Called once per step before the weights' updates (Nadam advances its momentum schedule here).</summary>
    private protected virtual void BeginStep(long step) { }

    /// <summary>One step over every trainable weight.</summary>
    public void Apply(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _step.Clear();
        foreach (var p in parameters)
            if (p.Trainable) _step.Add(new WeightGradient(p, p.Grad));
        Step(_step);
    }

    /// <summary>
    /// One step over the given weights with the given gradients (Keras: apply_gradients), e.g. those
    /// <c>Model.ComputeGradients</c> returned; <c>Fit</c>'s step is the same two calls. Clipping rescales the gradient
    /// tensors in place.
    /// </summary>
    /// <example><code>
    /// var (loss, gradients) = model.ComputeGradients(xBatch, yBatch);
    /// optimizer.ApplyGradients(gradients);
    /// </code></example>
    public void ApplyGradients(IReadOnlyList<WeightGradient> gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        for (int i = 0; i < gradients.Count; i++)
        {
            var (w, g) = gradients[i];
            if (w is null || g is null || !g.Shape.SequenceEqual(w.Value.Shape))
                throw new ArgumentException($"{GetType().Name}.ApplyGradients: gradient {i} " +
                    (w is null || g is null ? "has no weight or no gradient." : $"for weight '{w.Path}' has shape {Tensor.FormatShape(g.Shape)} but the weight has {Tensor.FormatShape(w.Value.Shape)}.") +
                    " Pass the gradients Model.ComputeGradients returned, or tensors shaped like their weights.");
        }
        Step(gradients);
    }

    /// <summary>Keras 3's <c>apply</c>: rate, clipping, weight decay, the updates, the moving average, then iterations + 1.</summary>
    private void Step(IReadOnlyList<WeightGradient> gradients)
    {
        var backend = Backends.Backend.Current;
        long t = Iterations + 1;
        double lr = LearningRate;
        ClipGradients(gradients);
        if (WeightDecay is { } wd && wd > 0)
        {
            float keep = (float)(1 - wd * lr);
            foreach (var (w, _) in gradients)
                if (UsesWeightDecay(w)) backend.Scale(w.Value.Span, keep);
        }
        BeginStep(t);
        foreach (var (w, g) in gradients) UpdateStep(w.Value.Span, g.Span, Slots(w), t);
        if (UseEma) UpdateMovingAverages(gradients);
        Iterations = t;
    }

    /// <summary>Keras' <c>_clip_gradients</c>: clipnorm per weight, else global_clipnorm, else clipvalue.</summary>
    private void ClipGradients(IReadOnlyList<WeightGradient> gradients)
    {
        var backend = Backends.Backend.Current;
        if (ClipNorm is { } c)
        {
            // _clip_by_norm: g · c / max(‖g‖, c)
            foreach (var (_, g) in gradients)
            {
                double norm = Math.Sqrt(backend.SumOfSquares(g.Span));
                if (norm > c || !double.IsFinite(norm)) backend.Scale(g.Span, (float)(c / Math.Max(norm, c)));
            }
        }
        else if (GlobalClipNorm is { } gc)
        {
            // clip_by_global_norm: scale = c · min(1/‖all‖, 1/c), NaN when the norm is not finite.
            double sum = 0;
            foreach (var (_, g) in gradients) sum += backend.SumOfSquares(g.Span);
            double norm = Math.Sqrt(sum);
            double scale = gc * Math.Min(1 / norm, 1 / gc) + (norm - norm);
            if (scale != 1) foreach (var (_, g) in gradients) backend.Scale(g.Span, (float)scale);
        }
        else if (ClipValue is { } v)
            foreach (var (_, g) in gradients) backend.ClipByValue(g.Span, (float)v);
    }

    /// <summary>The state arrays of one weight (created on first use, filled with <see cref="SlotInitialValue"/>).</summary>
    internal float[][] Slots(Parameter p)
    {
        if (!_slots.TryGetValue(p, out var s))
        {
            s = new float[SlotCount][];
            for (int i = 0; i < s.Length; i++)
            {
                s[i] = new float[p.Value.Size];
                float init = SlotInitialValue(i);
                if (init != 0) Array.Fill(s[i], init);
            }
            _slots[p] = s;
        }
        return s;
    }

    /// <summary>The value a state array starts from (Adagrad's initial_accumulator_value; 0 for the others).</summary>
    private protected virtual float SlotInitialValue(int slot) => 0;

    /// <summary>The constructor arguments, by Keras' names, for saving (Keras 3's base get_config plus the subclass's own).</summary>
    public virtual Dictionary<string, object?> GetConfig() => new()
    {
        ["name"] = Name,
        ["learning_rate"] = Schedule is { } s ? s.Serialize() : _rate,
        ["weight_decay"] = WeightDecay,
        ["clipnorm"] = ClipNorm,
        ["global_clipnorm"] = GlobalClipNorm,
        ["clipvalue"] = ClipValue,
        ["use_ema"] = UseEma,
        ["ema_momentum"] = EmaMomentum,
        ["ema_overwrite_frequency"] = EmaOverwriteFrequency,
        ["loss_scale_factor"] = null,
        ["gradient_accumulation_steps"] = null,
    };

    /// <summary>Keras' names convert to optimizers with Keras' defaults, so Compile takes "rmsprop" or new RMSprop(1e-4) alike.</summary>
    public static implicit operator Optimizer(string name) => Get(name);

    /// <summary>Resolves Keras' optimizer names with Keras' default settings; an unknown name is one error listing them.</summary>
    public static Optimizer Get(string name) => Names.Resolve(name);

    /// <summary>The optimizer names Compile takes, in the table's order (the CLI's --optimizer accepts exactly these).</summary>
    internal static IEnumerable<string> KnownNames => Names.Names;

    private static readonly KerasNames<Optimizer> Names = new("optimizer", "; or pass an optimizer object such as new RMSprop(learningRate: 1e-4)",
        ("rmsprop", [], _ => new RMSprop()),
        ("sgd", [], _ => new SGD()),
        ("adam", [], _ => new Adam()),
        ("adamw", [], _ => new AdamW()),
        ("adagrad", [], _ => new Adagrad()),
        ("nadam", [], _ => new Nadam()));
}
