namespace DeepSharp.Metrics;

/// <summary>
/// Keras' AUC (keras/src/metrics/confusion_metrics.py): the area under the ROC curve (default) or the precision-recall
/// curve, approximated by a Riemann sum over <see cref="NumThresholds"/> thresholds. The thresholds are Keras':
/// -1e-7, then (i + 1) / (numThresholds - 1) for i &lt; numThresholds - 2, then 1 + 1e-7 (the epsilon ends take
/// predictions of exactly 0 and 1); given <c>thresholds</c> replace the inner ones. Multi-output predictions are
/// flattened (Keras' multi_label = false). Its state: true/false positives and true/false negatives per threshold,
/// summed over batches and ranks, so the AUC of several batches or ranks is that of all their samples at once.
/// </summary>
/// <example><code>
/// model.Compile("rmsprop", "binary_crossentropy", metrics: ["accuracy", new AUC(), new AUC(curve: "PR", name: "pr_auc")]);
/// // History: "auc", "pr_auc", "val_auc", "val_pr_auc"
/// </code></example>
public sealed class AUC : Metric
{
    private readonly float[] _thresholds;
    private readonly double[] _thresholdValues;
    private readonly bool _evenlySpaced;
    private readonly double[] _positiveBuckets, _negativeBuckets;
    private readonly float[]? _labelWeights;

    /// <summary>The number of thresholds, the two epsilon ends included (Keras' default 200).</summary>
    public int NumThresholds { get; }

    /// <summary>"ROC" (Keras' default) or "PR".</summary>
    public string Curve { get; }

    /// <summary>"interpolation" (Keras' default), "minoring" or "majoring".</summary>
    public string SummationMethod { get; }

    /// <summary>The inner thresholds as given (null: evenly spaced).</summary>
    public IReadOnlyList<double>? Thresholds { get; }

    /// <summary>Whether the predictions are logits (a sigmoid is applied before counting).</summary>
    public bool FromLogits { get; }

    /// <summary>Weights of the last axis' labels when the predictions are flattened (null: all 1).</summary>
    public IReadOnlyList<double>? LabelWeights { get; }

    /// <summary>The AUC of the ROC or PR curve with Keras' arguments and defaults.</summary>
    /// <param name="numThresholds">thresholds, ends included (more than 1); ignored when <paramref name="thresholds"/> are given.</param>
    /// <param name="curve">"ROC" or "PR".</param>
    /// <param name="summationMethod">"interpolation" (mid-point for ROC, Davis and Goadrich's interpolation for PR), "minoring" or "majoring".</param>
    /// <param name="name">the name in logs and History.</param>
    /// <param name="thresholds">inner thresholds in [0, 1]; the epsilon ends are added.</param>
    /// <param name="multiLabel">Keras' per-label AUC; only false (flattened) is supported.</param>
    /// <param name="numLabels">only with multiLabel.</param>
    /// <param name="labelWeights">one weight per value of the last axis, weighting each label's predictions in the counts.</param>
    /// <param name="fromLogits">apply a sigmoid to the predictions first.</param>
    public AUC(int numThresholds = 200, string curve = "ROC", string summationMethod = "interpolation", string name = "auc",
        IReadOnlyList<double>? thresholds = null, bool multiLabel = false, int? numLabels = null, IReadOnlyList<double>? labelWeights = null,
        bool fromLogits = false) : base(name, 4 * ThresholdCount(numThresholds, thresholds, name))
    {
        Curve = curve switch
        {
            "ROC" or "roc" => "ROC",
            "PR" or "pr" => "PR",
            _ => throw new ArgumentException($"Metric '{name}': invalid curve \"{curve}\". Expected \"ROC\" or \"PR\".", nameof(curve)),
        };
        SummationMethod = summationMethod switch
        {
            "interpolation" or "Interpolation" => "interpolation",
            "minoring" or "Minoring" => "minoring",
            "majoring" or "Majoring" => "majoring",
            _ => throw new ArgumentException($"Metric '{name}': invalid summationMethod \"{summationMethod}\". Expected \"interpolation\", \"minoring\" or \"majoring\".", nameof(summationMethod)),
        };
        if (multiLabel)
            throw new NotSupportedException($"Metric '{name}': multiLabel = true (one AUC per label, averaged) is not supported by DeepSharp yet; " +
                "leave it false to flatten the labels, or use one AUC per output column.");
        if (numLabels is not null)
            throw new ArgumentException($"Metric '{name}': numLabels is needed only when multiLabel is true (got {numLabels}).", nameof(numLabels));
        if (labelWeights is not null && labelWeights.Any(w => !(w >= 0)))
            throw new ArgumentOutOfRangeException(nameof(labelWeights), $"Metric '{name}': label weights must be non-negative, got {string.Join(", ", labelWeights)}.");
        NumThresholds = ThresholdCount(numThresholds, thresholds, name);
        FromLogits = fromLogits;
        LabelWeights = labelWeights?.ToArray();
        _labelWeights = labelWeights?.Select(w => (float)w).ToArray();
        double[] inner;
        if (thresholds is null)
        {
            inner = new double[NumThresholds - 2];
            for (int i = 0; i < inner.Length; i++) inner[i] = (i + 1) * 1.0 / (NumThresholds - 1);
            _evenlySpaced = true;
        }
        else
        {
            ConfusionCounts.CheckThresholds(thresholds, name);
            Thresholds = thresholds.ToArray();
            inner = thresholds.OrderBy(t => t).ToArray();
            _evenlySpaced = EvenlySpaced(inner);
        }
        _thresholdValues = [0.0 - ConfusionCounts.Epsilon, .. inner, 1.0 + ConfusionCounts.Epsilon];
        _thresholds = _thresholdValues.Select(t => (float)t).ToArray();   // compared in float32, as Keras' float32 variables
        _positiveBuckets = new double[NumThresholds];
        _negativeBuckets = new double[NumThresholds];
    }

    private static int ThresholdCount(int numThresholds, IReadOnlyList<double>? thresholds, string name)
    {
        if (thresholds is not null) return thresholds.Count + 2;
        if (numThresholds <= 1)
            throw new ArgumentOutOfRangeException(nameof(numThresholds), $"Metric '{name}': numThresholds must be more than 1, got {numThresholds}.");
        return numThresholds;
    }

    /// <summary>Keras' metrics_utils.is_evenly_distributed_thresholds on [0] + thresholds + [1] (np.allclose, atol 1e-7).</summary>
    private static bool EvenlySpaced(double[] inner)
    {
        int n = inner.Length + 2;
        if (n < 3) return false;
        for (int i = 0; i < n; i++)
        {
            double a = i == 0 ? 0 : i == n - 1 ? 1 : inner[i - 1], b = (float)i / (n - 1);
            if (!(Math.Abs(a - b) <= ConfusionCounts.Epsilon + 1e-5 * Math.Abs(b))) return false;
        }
        return true;
    }

    /// <summary>The thresholds, the epsilon ends included (Keras' AUC.thresholds).</summary>
    public IReadOnlyList<double> ThresholdValues => _thresholdValues;

    protected override void UpdateState(Tensor predictions, Tensor targets, Span<double> state)
    {
        if (targets.Size != predictions.Size)
            ShapeError(predictions, targets, "expected targets with one 0/1 value per prediction (the predictions' shape).");
        int columns = predictions.Rank < 2 ? 1 : predictions.Dim(predictions.Rank - 1);
        if (_labelWeights is not null && _labelWeights.Length != columns)
            ShapeError(predictions, targets, $"labelWeights has {_labelWeights.Length} weights but the predictions' last axis has {columns} labels.");
        int n = NumThresholds;
        Span<double> tp = state[..n], fp = state[n..(2 * n)], tn = state[(2 * n)..(3 * n)], fn = state[(3 * n)..];
        ReadOnlySpan<float> p = predictions.Span, t = targets.Span;
        if (_evenlySpaced) CountByBuckets(p, t, columns, tp, fp, tn, fn);
        else CountDirect(p, t, columns, tp, fp, tn, fn);
    }

    private float Probability(float p) => FromLogits ? 1f / (1f + MathF.Exp(-p)) : p;

    /// <summary>
    /// Keras' _update_confusion_matrix_variables_optimized for evenly spaced thresholds with epsilon ends: each
    /// prediction, clipped to [0, 1], falls into bucket max(ceil(p·(n-1)) - 1, 0) (computed in float32 as Keras does);
    /// a threshold's positives are the samples in its bucket and above (a reverse cumulative sum). O(n + N).
    /// </summary>
    private void CountByBuckets(ReadOnlySpan<float> p, ReadOnlySpan<float> t, int columns, Span<double> tp, Span<double> fp, Span<double> tn, Span<double> fn)
    {
        int n = NumThresholds;
        Array.Clear(_positiveBuckets);
        Array.Clear(_negativeBuckets);
        double positives = 0, negatives = 0;
        float scale = n - 1;
        for (int i = 0; i < p.Length; i++)
        {
            float w = _labelWeights is null ? 1f : _labelWeights[i % columns];
            float v = Math.Clamp(Probability(p[i]), 0f, 1f);
            int bucket = Math.Max((int)(MathF.Ceiling(v * scale) - 1f), 0);
            if (t[i] != 0) { _positiveBuckets[bucket] += w; positives += w; }
            else { _negativeBuckets[bucket] += w; negatives += w; }
        }
        double tpAbove = 0, fpAbove = 0;
        for (int b = n - 1; b >= 0; b--)
        {
            tpAbove += _positiveBuckets[b];
            fpAbove += _negativeBuckets[b];
            tp[b] += tpAbove;
            fp[b] += fpAbove;
            tn[b] += negatives - fpAbove;
            fn[b] += positives - tpAbove;
        }
    }

    /// <summary>Keras' plain path for other thresholds: positive at t when p &gt; t. O(n·N).</summary>
    private void CountDirect(ReadOnlySpan<float> p, ReadOnlySpan<float> t, int columns, Span<double> tp, Span<double> fp, Span<double> tn, Span<double> fn)
    {
        for (int i = 0; i < p.Length; i++)
        {
            float w = _labelWeights is null ? 1f : _labelWeights[i % columns];
            float v = Probability(p[i]);
            bool positive = t[i] != 0;
            for (int k = 0; k < _thresholds.Length; k++)
            {
                bool above = v > _thresholds[k];
                if (positive) { if (above) tp[k] += w; else fn[k] += w; }
                else if (above) fp[k] += w;
                else tn[k] += w;
            }
        }
    }

    /// <summary>Keras' AUC.result: a Riemann sum over the thresholds (interpolate_pr_auc for PR with interpolation).</summary>
    public override double ResultFrom(ReadOnlySpan<double> state)
    {
        int n = NumThresholds;
        ReadOnlySpan<double> tp = state[..n], fp = state[n..(2 * n)], tn = state[(2 * n)..(3 * n)], fn = state[(3 * n)..];
        double sum = 0;
        if (Curve == "PR" && SummationMethod == "interpolation")
        {
            // Davis & Goadrich: TP and P = TP + FP linear between thresholds, precision integrated in closed form.
            for (int i = 0; i < n - 1; i++)
            {
                double dtp = tp[i] - tp[i + 1], pA = tp[i] + fp[i], pB = tp[i + 1] + fp[i + 1], dp = pA - pB;
                double slope = ConfusionCounts.DivideNoNan(dtp, Math.Max(dp, 0));
                double intercept = tp[i + 1] - slope * pB;
                double ratio = pA > 0 && pB > 0 ? ConfusionCounts.DivideNoNan(pA, Math.Max(pB, 0)) : 1;
                sum += ConfusionCounts.DivideNoNan(slope * (dtp + intercept * Math.Log(ratio)), Math.Max(tp[i + 1] + fn[i + 1], 0));
            }
            return sum;
        }
        for (int i = 0; i < n - 1; i++)
        {
            double x0, x1, y0, y1;
            if (Curve == "ROC")
            {
                (x0, x1) = (ConfusionCounts.DivideNoNan(fp[i], fp[i] + tn[i]), ConfusionCounts.DivideNoNan(fp[i + 1], fp[i + 1] + tn[i + 1]));
                (y0, y1) = (ConfusionCounts.DivideNoNan(tp[i], tp[i] + fn[i]), ConfusionCounts.DivideNoNan(tp[i + 1], tp[i + 1] + fn[i + 1]));
            }
            else
            {
                (x0, x1) = (ConfusionCounts.DivideNoNan(tp[i], tp[i] + fn[i]), ConfusionCounts.DivideNoNan(tp[i + 1], tp[i + 1] + fn[i + 1]));
                (y0, y1) = (ConfusionCounts.DivideNoNan(tp[i], tp[i] + fp[i]), ConfusionCounts.DivideNoNan(tp[i + 1], tp[i + 1] + fp[i + 1]));
            }
            double height = SummationMethod switch
            {
                "interpolation" => (y0 + y1) / 2,
                "minoring" => Math.Min(y0, y1),
                _ => Math.Max(y0, y1),
            };
            sum += (x0 - x1) * height;
        }
        return sum;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["num_thresholds"] = NumThresholds;
        c["curve"] = Curve;
        c["summation_method"] = SummationMethod;
        c["multi_label"] = false;
        c["num_labels"] = null;
        c["label_weights"] = LabelWeights?.ToArray();
        c["from_logits"] = FromLogits;
        if (Thresholds is not null) c["thresholds"] = Thresholds.OrderBy(t => t).ToArray();
        return c;
    }
}
