using System.Text.RegularExpressions;
using DeepSharp.Gradients;
using DeepSharp.Layers;

namespace DeepSharp.Optimizers;

/// <summary>The optimizer's weight-decay exclusions, the weights' moving average, and its variables in Keras 3's saved order.</summary>
public abstract partial class Optimizer
{
    private readonly Dictionary<Parameter, float[]> _averages = new();
    private HashSet<Parameter>? _excluded;
    private Regex? _excludedNames;

    /// <summary>
    /// Leaves weights out of <c>weightDecay</c> (Keras: exclude_from_weight_decay): the given weights, and every weight whose
    /// path ("dense/bias") contains one of <paramref name="varNames"/>. Call it before the first step.
    /// </summary>
    /// <example><code>
    /// var optimizer = new AdamW(weightDecay: 0.01);
    /// optimizer.ExcludeFromWeightDecay(varNames: ["bias", "gamma", "beta"]);
    /// </code></example>
    public void ExcludeFromWeightDecay(IEnumerable<Parameter>? varList = null, IEnumerable<string>? varNames = null)
    {
        if (Iterations > 0)
            throw new InvalidOperationException($"{GetType().Name}.ExcludeFromWeightDecay: call it before the first step (Keras: before the optimizer is built); it has taken {Iterations}.");
        _excluded = varList is null ? null : new HashSet<Parameter>(varList);
        var names = varNames?.Where(n => !string.IsNullOrEmpty(n)).Distinct().ToList();
        _excludedNames = names is { Count: > 0 } ? new Regex(string.Join("|", names.Select(Regex.Escape)), RegexOptions.CultureInvariant) : null;
    }

    /// <summary>Keras' <c>_use_weight_decay</c>: not excluded by object or by name.</summary>
    private bool UsesWeightDecay(Parameter p) =>
        !(_excluded?.Contains(p) ?? false) && !(_excludedNames?.IsMatch(p.Path) ?? false);

    /// <summary>
    /// Keras' <c>_update_model_variables_moving_average</c> (momentum 0 on the very first step, so the average starts at the
    /// weights) and, every <see cref="EmaOverwriteFrequency"/> steps, <c>_overwrite_model_variables_with_average_value</c>.
    /// </summary>
    private void UpdateMovingAverages(IReadOnlyList<WeightGradient> gradients)
    {
        var backend = Backends.Backend.Current;
        float momentum = Iterations == 0 ? 0f : (float)EmaMomentum;
        foreach (var (w, _) in gradients) backend.MovingAverageUpdate(Average(w), w.Value.Span, momentum);
        if (EmaOverwriteFrequency is { } f && (Iterations + 1) % f == 0)
            foreach (var (w, _) in gradients) Average(w).CopyTo(w.Value.Span);
    }

    /// <summary>The moving average of one weight (created zeroed, as Keras' "average" variables).</summary>
    internal float[] Average(Parameter p)
    {
        if (!_averages.TryGetValue(p, out var a)) _averages[p] = a = new float[p.Value.Size];
        return a;
    }

    /// <summary>
    /// Writes the moving averages into the weights when <see cref="UseEma"/> (Keras: finalize_variable_values, which Fit
    /// calls after its last epoch); does nothing otherwise.
    /// </summary>
    public void FinalizeVariableValues(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!UseEma) return;
        foreach (var p in parameters)
            if (p.Trainable && _averages.TryGetValue(p, out var a)) a.CopyTo(p.Value.Span);
    }

    /// <summary>
    /// How the slots are grouped when Keras builds them: each group is one <c>add_optimizer_variables</c> call, which creates
    /// its kinds interleaved per weight (Adam: momentum, velocity of the first weight, then of the second ...), and the groups
    /// follow one another (Adam's velocity_hat after all of them, RMSprop's momentums after all velocities).
    /// </summary>
    private protected virtual int[] SlotGroups => SlotCount == 0 ? [] : [SlotCount];

    /// <summary>
    /// The optimizer's state arrays in Keras 3's <c>optimizer.variables</c> order after iterations and learning_rate: the
    /// moving averages (use_ema, created by the base build first), then the slots group by group, each group interleaved
    /// per weight.
    /// </summary>
    /// <remarks>
    /// <paramref name="interleaved"/> false gives the order of Keras 3.10 and DeepSharp 0.1 (every kind in its own run:
    /// all momentums, then all velocities), which the loader falls back to when the shapes say a file was written so.
    /// </remarks>
    internal IEnumerable<(string What, Parameter Weight, float[] Values)> StateArrays(IReadOnlyList<Parameter> trainable, bool interleaved = true)
    {
        if (UseEma)
            foreach (var p in trainable) yield return ("average", p, Average(p));
        int first = 0;
        foreach (int size in interleaved ? SlotGroups : Enumerable.Repeat(1, SlotCount))
        {
            foreach (var p in trainable)
                for (int k = first; k < first + size; k++) yield return (SlotName(k), p, Slots(p)[k]);
            first += size;
        }
    }

    /// <summary>Keras' name of slot kind <paramref name="slot"/> ("momentum", "velocity"), for messages.</summary>
    private protected virtual string SlotName(int slot) => $"slot {slot}";

    /// <summary>Scalar state Keras tracks after the slots (Nadam's u_product); the file stores each as a float32 scalar.</summary>
    internal virtual IReadOnlyList<(string What, Func<double> Get, Action<double> Set)> StateScalars => [];
}
