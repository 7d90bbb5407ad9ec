using DeepSharp.Callbacks;
using DeepSharp.Data;
using DeepSharp.Losses;
using DeepSharp.Metrics;
using DeepSharp.Optimizers;
using DeepSharp.Training;
using DeepSharp.Worlds;

namespace DeepSharp.Models;

public partial class Model
{
    private Tensor? _lossGradient;
    private readonly System.Random _shuffleRandom = Rng.Fork();

    /// <summary>The optimizer set by Compile.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss set by Compile.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The metrics set by Compile.</summary>
    public IReadOnlyList<Metric> Metrics { get; private set; } = [];

    /// <summary>How the last Fit spent its time (data wait versus compute).</summary>
    public FitTimings LastFitTimings { get; private set; } = new();

    /// <summary>Set by a callback to end Fit: it stops after the current batch and still ends the epoch (Keras 3).</summary>
    public bool StopTraining { get; set; }

    /// <summary>The epoch Fit starts from: its initialEpoch, raised by BackupAndRestore in OnTrainBegin.</summary>
    internal int ResumeEpoch { get; set; }

    /// <summary>
    /// Configures training. Optimizer, loss and metrics take Keras' names ("rmsprop", "categorical_crossentropy",
    /// "accuracy") or objects. "accuracy" picks binary, sparse or categorical accuracy as Keras 3 does (from the output shape and the loss).
    /// </summary>
    /// <example><code>
    /// model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
    /// model.Compile(optimizer: new RMSprop(learningRate: 1e-4), loss: new BinaryCrossentropy(),
    ///     metrics: ["accuracy", new BinaryAccuracy(name: "acc_60", threshold: 0.6)]);
    /// </code></example>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null)
    {
        RequireSingleOutput("be compiled");
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        var resolved = (metrics ?? []).Select(m => m.ResolveFor(loss, OutputShapePerSample)).ToList();
        if (resolved.Select(m => m.Name).GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } dup)
            throw new ArgumentException($"Compile: two metrics are named '{dup.Key}'; their values would share one log entry. Give one a name, e.g. new BinaryAccuracy(name: \"acc_60\", threshold: 0.6).");
        Optimizer = optimizer;
        Loss = loss;
        Metrics = resolved;
        _lossMatchesOutputActivation = Nodes.Count >= 2 && loss.FusedActivation is { } act && Nodes[^1].Layer!.OutputActivation == act;
    }

    /// <summary>Whether the compiled loss's activation (softmax, sigmoid) is the last layer's own output activation.</summary>
    private bool _lossMatchesOutputActivation;

    /// <summary>
    /// The named fusion <see cref="Backends.FusionPattern.ActivationWithCrossentropy"/>, asked of the backend at each
    /// step: when the last layer ends in the loss's own activation, the loss reads its logits and the backward pass
    /// starts from dLoss/dLogits (<see cref="Layers.BackwardArgs.FromLogits"/>).
    /// </summary>
    internal bool LossReadsLogits => _lossMatchesOutputActivation && Backends.Backend.Current.Fuses(Backends.FusionPattern.ActivationWithCrossentropy);

    /// <summary>The last layer's logits when <see cref="LossReadsLogits"/>, else null.</summary>
    private Tensor? LossLogits() => LossReadsLogits ? Nodes[^1].Layer!.Logits : null;

    // ---- Fit ----

    /// <summary>
    /// Trains on arrays for <paramref name="epochs"/> epochs. <paramref name="validationSplit"/> holds out the last
    /// fraction of the samples (before shuffling), as Keras does.
    /// </summary>
    /// <remarks>
    /// <paramref name="verbose"/> 1 shows a progress bar, 2 one line per epoch, 0 nothing: the output is a
    /// <see cref="ProgbarLogger"/> callback writing to the console, added unless <paramref name="callbacks"/> hold one.
    /// <paramref name="cancellationToken"/> is checked before every batch: cancelling throws
    /// <see cref="OperationCanceledException"/> between two batches, after which the weights are those of the last
    /// finished batch; callbacks only save at the end of an epoch, so nothing is saved half-done.
    /// </remarks>
    /// <example><code>var history = model.Fit(trainImages, trainLabels, epochs: 5, batchSize: 64);</code></example>
    public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0, (Tensor X, Tensor Y)? validationData = null,
        bool shuffle = true, int initialEpoch = 0, CancellationToken cancellationToken = default)
    {
        CheckArrays(x, y, "Fit");
        if (validationSplit < 0 || validationSplit >= 1)
            throw new ArgumentOutOfRangeException(nameof(validationSplit), $"validationSplit must be in [0, 1), got {validationSplit}.");
        int n = x.Dim(0);
        int nVal = (int)(n * (float)validationSplit);
        var train = new ArrayBatches(x, y, 0, n - nVal, batchSize, shuffle, _shuffleRandom);
        IBatchGenerator? val = null;
        if (nVal > 0) val = new ArrayBatches(x, y, n - nVal, nVal, batchSize, false, _shuffleRandom);
        else if (validationData is { } vd)
        {
            CheckArrays(vd.X, vd.Y, "Fit (validationData)");
            val = new ArrayBatches(vd.X, vd.Y, 0, vd.X.Dim(0), batchSize, false, _shuffleRandom);
        }
        return FitLoop(train, train.StepsPerEpoch, epochs, verbose, callbacks, val, val?.StepsPerEpoch ?? 0, initialEpoch, cancellationToken);
    }

    /// <summary>
    /// Trains from an endless generator (Keras: fit_generator): <paramref name="stepsPerEpoch"/> batches per epoch
    /// (default: one pass), validated on <paramref name="validationSteps"/> batches of <paramref name="validationData"/>.
    /// </summary>
    /// <remarks>Progress and cancellation as for <see cref="Fit(Tensor, Tensor, int, int, int, IEnumerable{Callback}?, double, ValueTuple{Tensor, Tensor}?, bool, int, CancellationToken)"/>.</remarks>
    /// <example><code>model.Fit(trainGen, stepsPerEpoch: 100, epochs: 30, validationData: valGen, validationSteps: 50);</code></example>
    public History Fit(IBatchGenerator data, int? stepsPerEpoch = null, int epochs = 1, int verbose = 1,
        IBatchGenerator? validationData = null, int? validationSteps = null, IEnumerable<Callback>? callbacks = null,
        int initialEpoch = 0, CancellationToken cancellationToken = default)
    {
        int steps = stepsPerEpoch ?? data.StepsPerEpoch;
        if (steps <= 0) throw new ArgumentOutOfRangeException(nameof(stepsPerEpoch), $"stepsPerEpoch must be positive, got {steps}.");
        return FitLoop(data, steps, epochs, verbose, callbacks, validationData,
            validationData is null ? 0 : validationSteps ?? validationData.StepsPerEpoch, initialEpoch, cancellationToken);
    }

    private History FitLoop(IBatchGenerator train, int steps, int epochs, int verbose, IEnumerable<Callback>? callbacks,
        IBatchGenerator? validation, int validationSteps, int initialEpoch, CancellationToken cancellationToken)
    {
        RequireCompiled("Fit");
        var world = World.Current;
        try
        {
            return FitLoop(world, ShardForWorld(train, world), steps, epochs, verbose, callbacks,
                validation is null ? null : ShardForWorld(validation, world), validationSteps, initialEpoch, cancellationToken);
        }
        catch (Exception e) when (world.Size > 1)
        {
            AbortWorld(world, e);   // ends every rank now (they would wait for this one); returns only in tests' fake worlds
            throw;
        }
    }

    private History FitLoop(IWorld world, IBatchGenerator train, int steps, int epochs, int verbose, IEnumerable<Callback>? callbacks,
        IBatchGenerator? validation, int validationSteps, int initialEpoch, CancellationToken cancellationToken)
    {
        var cbs = WithProgress(callbacks, verbose, new CallbackParams(epochs, steps, verbose));
        if (world.Size > 1) cbs = CallbacksForRank(cbs, world);
        var history = new History();
        var timings = LastFitTimings = new FitTimings();
        long fitStart = System.Diagnostics.Stopwatch.GetTimestamp();
        StopTraining = false;
        ResumeEpoch = initialEpoch;
        foreach (var cb in cbs) cb.OnTrainBegin();
        if (world.Size > 1) BeginWorldFit(world);
        var batchLogs = new Dictionary<string, double>();
        for (int epoch = ResumeEpoch; epoch < epochs && !StopTraining; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var cb in cbs) cb.OnEpochBegin(epoch);
            foreach (var m in Metrics) m.Reset();
            double lossSum = 0;
            long seen = 0;
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var cb in cbs) cb.OnBatchBegin(step);
                long waitStart = System.Diagnostics.Stopwatch.GetTimestamp();
                var (xb, yb) = train.Next(cancellationToken);
                timings.DataWaitSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(waitStart).TotalSeconds;
                timings.Steps++;
                if (yb is null) throw new ArgumentException("Fit needs targets, but the generator yields none (class mode \"none\"). Use a class mode with labels.");
                double loss;
                if (world.Size == 1) loss = TrainStep(xb, yb);
                else loss = WorldTrainStep(world, xb, yb, ((ShardedBatches)train).GlobalBatchCount);
                lossSum += loss * xb.Dim(0);
                seen += xb.Dim(0);
                if (world.Size == 1) FillLogs(batchLogs, lossSum / seen, "");
                else { FillWorldLogs(world, batchLogs, lossSum, seen, ""); loss = batchLogs["loss"]; }
                foreach (var cb in cbs) cb.OnBatchEnd(step, batchLogs);
                if (StopTraining) break;   // a callback (TerminateOnNaN) ended training in the middle of the epoch
                if (double.IsNaN(loss) || double.IsInfinity(loss))
                    throw new TrainingException($"The loss became {loss} at epoch {epoch + 1}, step {step + 1}/{steps}; training stopped. " +
                        "Lower the learning rate, check the inputs for NaN or huge values (scale images to [0, 1]), and check the labels " +
                        "(or pass callbacks: [new TerminateOnNaN()] to end Fit without an exception).");
            }
            var logs = new Dictionary<string, double>();
            if (world.Size == 1) FillLogs(logs, lossSum / Math.Max(seen, 1), "");
            else
            {
                FillWorldLogs(world, logs, lossSum, seen, "");
                EndWorldEpoch(world, epoch);
            }
            if (validation is not null && validationSteps > 0)
            {
                var v = EvaluateLoop(validation, validationSteps, cancellationToken);
                FillLogs(logs, v, "val_");
                foreach (var (name, value) in logs)
                    if (name.StartsWith("val_", StringComparison.Ordinal) && !double.IsFinite(value))
                        throw new TrainingException($"The validation {name[4..]} became {value} at epoch {epoch + 1} ({name}); training stopped. " +
                            "Check the validation data for NaN or huge values (scale images as for training) and its labels; if the training loss is also large, lower the learning rate.");
            }
            foreach (var cb in cbs) cb.OnEpochEnd(epoch, logs);
            history.Add(epoch + 1, logs);
        }
        if (epochs > ResumeEpoch) Optimizer!.FinalizeVariableValues(_parameterCache);   // use_ema: the weights become their moving averages
        foreach (var cb in cbs) cb.OnTrainEnd();
        timings.TotalSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(fitStart).TotalSeconds;
        return history;
    }

    /// <summary>The callbacks with a console <see cref="ProgbarLogger"/> first when verbose and none was given; each gets the model and params.</summary>
    private List<Callback> WithProgress(IEnumerable<Callback>? callbacks, int verbose, CallbackParams parameters)
    {
        if (verbose is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(verbose), $"verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch), got {verbose}.");
        var cbs = (callbacks ?? []).ToList();
        if (verbose > 0 && !cbs.Any(c => c is ProgbarLogger)) cbs.Insert(0, new ProgbarLogger());
        foreach (var cb in cbs)
        {
            cb.Model = this;
            cb.Params = parameters;
        }
        return cbs;
    }

    /// <summary>One gradient step on one batch; returns the batch's mean loss.</summary>
    public double TrainStep(Tensor xb, Tensor yb)
    {
        RequireCompiled("TrainStep");
        var (loss, gradients) = ComputeGradients(xb, yb);
        Optimizer!.ApplyGradients(gradients);
        foreach (var m in Metrics) m.Update(_graph.ValueAt(_graph.Count - 1)!, yb);
        return loss;
    }

    /// <summary>Writes loss and metric results under Keras' names (prefixed "val_" for validation) into <paramref name="logs"/>.</summary>
    private void FillLogs(Dictionary<string, double> logs, double loss, string prefix)
    {
        logs[prefix + "loss"] = loss;
        foreach (var m in Metrics) logs[prefix + m.Name] = m.Result;
    }

    /// <summary>Writes an evaluation's loss and metrics under Keras' names (prefixed "val_" for validation) into <paramref name="logs"/>.</summary>
    private static void FillLogs(Dictionary<string, double> logs, EvaluationResult result, string prefix)
    {
        logs[prefix + "loss"] = result.Loss;
        foreach (var (name, value) in result.Metrics) logs[prefix + name] = value;
    }

    // ---- Evaluate ----

    /// <summary>Loss and metrics on arrays, in batches, in inference mode.</summary>
    /// <remarks>Progress and cancellation as for Fit: a <see cref="ProgbarLogger"/> when <paramref name="verbose"/>, the token checked before every batch.</remarks>
    /// <example><code>var (loss, acc) = model.Evaluate(testImages, testLabels);</code></example>
    public EvaluationResult Evaluate(Tensor x, Tensor y, int batchSize = 32, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, CancellationToken cancellationToken = default)
    {
        CheckArrays(x, y, "Evaluate");
        var batches = new ArrayBatches(x, y, 0, x.Dim(0), batchSize, false, _shuffleRandom);
        return Evaluate(batches, batches.StepsPerEpoch, verbose, callbacks, cancellationToken);
    }

    /// <summary>Loss and metrics on <paramref name="steps"/> batches of a generator (default: one pass).</summary>
    public EvaluationResult Evaluate(IBatchGenerator data, int? steps = null, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, CancellationToken cancellationToken = default)
    {
        RequireCompiled("Evaluate");
        int n = steps ?? data.StepsPerEpoch;
        var world = World.Current;
        var cbs = WithProgress(callbacks, verbose, new CallbackParams(1, n, verbose));
        if (world.Size > 1) cbs = CallbacksForRank(cbs, world);
        foreach (var cb in cbs) cb.OnTestBegin();
        var result = EvaluateLoop(ShardForWorld(data, world), n, cancellationToken, cbs);
        var logs = new Dictionary<string, double>();
        FillLogs(logs, result, "");
        foreach (var cb in cbs) cb.OnTestEnd(logs);
        return result;
    }

    /// <summary>Loss and metrics over <paramref name="steps"/> batches; in a world of several ranks, each reads its share and the figures are summed over all.</summary>
    private EvaluationResult EvaluateLoop(IBatchGenerator data, int steps, CancellationToken cancellationToken, List<Callback>? callbacks = null)
    {
        var world = World.Current;
        foreach (var m in Metrics) m.Reset();
        double penalty = RegularizationPenalty();   // the weights do not change while evaluating
        double lossSum = 0;
        long seen = 0;
        var batchLogs = new Dictionary<string, double>();
        for (int s = 0; s < steps; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (xb, yb) = data.Next(cancellationToken);
            if (yb is null) throw new ArgumentException("Evaluate needs targets, but the generator yields none.");
            if (xb.Dim(0) == 0) continue;   // this rank's share of a last batch smaller than the world
            var output = RunForward(xb, training: false);
            CheckTargets(output, yb);
            var grad = Tensor.Ensure(ref _lossGradient, output.Shape);
            lossSum += (Loss!.Compute(output, LossLogits(), yb, grad.Span) + penalty) * xb.Dim(0);
            seen += xb.Dim(0);
            foreach (var m in Metrics) m.Update(output, yb);
            if (callbacks is { Count: > 0 } && world.Size == 1)
            {
                FillLogs(batchLogs, lossSum / seen, "");
                foreach (var cb in callbacks) cb.OnTestBatchEnd(s, batchLogs);
            }
        }
        if (world.Size > 1)
        {
            var logs = new Dictionary<string, double>();
            FillWorldLogs(world, logs, lossSum, seen, "");
            return new EvaluationResult(logs["loss"], Metrics.ToDictionary(m => m.Name, m => logs[m.Name]));
        }
        return new EvaluationResult(lossSum / Math.Max(seen, 1), Metrics.ToDictionary(m => m.Name, m => m.Result));
    }

    // ---- Predict ----

    /// <summary>
    /// The model's outputs for every sample, computed in batches in inference mode. One sample without the batch axis
    /// (an (h, w, c) image) is a batch of one: the result is (1, ...).
    /// </summary>
    /// <example><code>Tensor probabilities = model.Predict(testImages);   // (10000, 10)</code></example>
    /// <remarks><paramref name="cancellationToken"/> is checked before every batch.</remarks>
    public Tensor Predict(Tensor x, int batchSize = 32, CancellationToken cancellationToken = default)
    {
        x = AsBatch(x);
        CheckInput(x);
        RequireSingleOutput("use Predict");
        var batches = new ArrayBatches(x, null, 0, x.Dim(0), batchSize, false, _shuffleRandom);
        Tensor? result = null;
        int offset = 0;
        for (int s = 0; s < batches.StepsPerEpoch; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var output = RunForward(batches.Next().X, training: false);
            result ??= new Tensor([x.Dim(0), .. output.Shape[1..]]);
            output.Span.CopyTo(result.Data.AsSpan(offset));
            offset += output.Size;
        }
        return result ?? new Tensor([0, .. OutputShapePerSample ?? []]);
    }

    /// <summary>Outputs for <paramref name="steps"/> batches of a generator (default: one pass), in order.</summary>
    public Tensor Predict(IBatchGenerator data, int? steps = null, CancellationToken cancellationToken = default)
    {
        int n = steps ?? data.StepsPerEpoch;
        var parts = new List<Tensor>();
        for (int s = 0; s < n; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            parts.Add(RunForward(data.Next(cancellationToken).X, training: false).Clone());
        }
        int rows = parts.Sum(p => p.Dim(0));
        var result = new Tensor([rows, .. parts[0].Shape[1..]]);
        int offset = 0;
        foreach (var p in parts) { p.Span.CopyTo(result.Data.AsSpan(offset)); offset += p.Size; }
        return result;
    }

    // ---- checks ----

    private void RequireCompiled(string what)
    {
        if (Optimizer is null || Loss is null)
            throw new InvalidOperationException($"Model '{Name}' must be compiled before {what}: call model.Compile(optimizer: \"rmsprop\", loss: \"categorical_crossentropy\", metrics: [\"accuracy\"]) first.");
    }

    private void CheckArrays(Tensor x, Tensor y, string what)
    {
        if (x.Rank == 0 || y.Rank == 0 || x.Dim(0) != y.Dim(0))
            throw new ArgumentException($"{what}: inputs have {(x.Rank > 0 ? x.Dim(0) : 0)} samples (shape {Tensor.FormatShape(x.Shape)}) but targets have {(y.Rank > 0 ? y.Dim(0) : 0)} (shape {Tensor.FormatShape(y.Shape)}). Pass one target row per input sample.");
        CheckInput(x);
        Loss?.CheckTargets([x.Dim(0), .. Nodes[^1].Shape], y.Shape, Nodes[^1].Layer!.Name);
    }

    private void CheckTargets(Tensor output, Tensor yb)
    {
        if (yb.Dim(0) != output.Dim(0))
            throw new ArgumentException($"A batch has {output.Dim(0)} inputs but {yb.Dim(0)} targets. The generator must yield one target per input.");
        Loss!.CheckTargets(output.Shape, yb.Shape, Nodes[^1].Layer!.Name);
    }
}
