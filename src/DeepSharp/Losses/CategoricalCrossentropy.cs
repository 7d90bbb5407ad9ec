namespace DeepSharp.Losses;

/// <summary>
/// -Σ_c y_c log p_c, averaged over the batch; targets are one-hot (N, C) (see <c>Utils.ToCategorical</c>).
/// Keras 3's <c>CategoricalCrossentropy</c> (<c>keras/src/losses/losses.py</c>): <paramref name="labelSmoothing"/> ls
/// replaces y by y·(1 - ls) + ls/C.
/// From logits z (<paramref name="fromLogits"/>, or fused with a final softmax): loss = logsumexp(z)·Σy - Σ y z,
/// dz = (softmax(z)·Σy - y) / N.
/// Unfused (probabilities), as Keras 3's backend <c>categorical_crossentropy</c> with from_logits=False
/// (<c>keras/src/backend/numpy/nn.py</c>, <c>tensorflow/nn.py</c>): each row is first divided by its sum S, q = p / S, then
/// clipped to [1e-7, 1 - 1e-7]; loss = -Σ y log q; dp_k = (-y_k/q_k + Σ_{j unclipped} y_j) / (S N) (a clipped q_k gets no
/// -y_k/q_k term). Rows that do not sum to 1 (a sigmoid output, say) thus give Keras' numbers, not -Σ y log p's.
/// </summary>
/// <param name="fromLogits">Whether the model's outputs are logits (no final softmax); Keras' default false.</param>
/// <param name="labelSmoothing">In [0, 1]: smooths the one-hot labels towards 1/C; Keras' default 0.</param>
/// <example><code>
/// model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy");
/// model.Compile(optimizer: "adam", loss: new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1));
/// </code></example>
public sealed class CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0) : Loss
{
    /// <summary>Keras' defaults (from probabilities, no label smoothing).</summary>
    public CategoricalCrossentropy() : this(false, 0) { }

    /// <summary>Whether the model's outputs are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>The label smoothing ls: targets become y·(1 - ls) + ls/C.</summary>
    public float LabelSmoothing { get; } = CrossentropyChecks.Smoothing(labelSmoothing, "CategoricalCrossentropy");

    public override string Name => "categorical_crossentropy";
    public override ActivationKind? FusedActivation => FromLogits ? null : ActivationKind.Softmax;

    public override void CheckTargets(ReadOnlySpan<int> outputShape, ReadOnlySpan<int> targetShape, string outputLayer)
    {
        if (targetShape.Length == 1 || (targetShape.Length == 2 && targetShape[1] == 1 && outputShape[^1] != 1))
            throw Mismatch(outputShape, targetShape, outputLayer,
                $"categorical_crossentropy needs one-hot labels of shape (N, {outputShape[^1]}): convert integer labels with ToCategorical(labels), or use loss: \"sparse_categorical_crossentropy\".");
        base.CheckTargets(outputShape, targetShape, outputLayer);
    }

    public override double Compute(Tensor predictions, Tensor? logits, Tensor targets, Span<float> gradient)
    {
        int n = predictions.Dim(0), c = predictions.Size / n;
        double total = 0, ls = LabelSmoothing;
        bool fused = logits is not null && !FromLogits && ls == 0;   // the softmax + crossentropy training path, as before
        Span<double> smoothed = fused ? default : c <= 256 ? stackalloc double[c] : new double[c];
        for (int i = 0; i < n; i++)
        {
            var y = targets.Span.Slice(i * c, c);
            var g = gradient.Slice(i * c, c);
            var p = predictions.Span.Slice(i * c, c);
            if (fused)
            {
                var z = logits!.Span.Slice(i * c, c);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(z);
                double sumExp = 0, ySum = 0, yz = 0;
                for (int j = 0; j < c; j++) { sumExp += Math.Exp(z[j] - max); ySum += y[j]; yz += y[j] * z[j]; }
                total += (max + Math.Log(sumExp)) * ySum - yz;
                for (int j = 0; j < c; j++) g[j] = (float)((p[j] * ySum - y[j]) / n);
                continue;
            }
            for (int j = 0; j < c; j++) smoothed[j] = y[j] * (1 - ls) + ls / c;
            if (FromLogits || logits is not null)
            {
                // From logits z (fromLogits: the outputs; else fused with the softmax and label smoothing).
                var z = (FromLogits ? predictions : logits!).Span.Slice(i * c, c);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(z);
                double sumExp = 0, ySum = 0, yz = 0;
                for (int j = 0; j < c; j++) { sumExp += Math.Exp(z[j] - max); ySum += smoothed[j]; yz += smoothed[j] * z[j]; }
                total += (max + Math.Log(sumExp)) * ySum - yz;
                for (int j = 0; j < c; j++)
                {
                    double pj = FromLogits ? Math.Exp(z[j] - max) / sumExp : p[j];
                    g[j] = (float)((pj * ySum - smoothed[j]) / n);
                }
            }
            else total += Probabilities(p, smoothed, g, n);
        }
        return total / n;
    }

    /// <summary>
    /// One row of probabilities the Keras 3 way: q = clip(p / Σp, ε, 1 - ε), returns -Σ y log q and writes
    /// dp = (-y/q + Σ_{q unclipped} y) / (Σp · n).
    /// </summary>
    internal static double Probabilities(ReadOnlySpan<float> p, ReadOnlySpan<double> y, Span<float> g, int n)
    {
        double sum = 0, loss = 0, yUnclipped = 0;
        foreach (float v in p) sum += v;
        for (int j = 0; j < p.Length; j++)
        {
            double q = p[j] / sum;
            bool clipped = !(q > Epsilon && q < 1 - Epsilon);
            q = Math.Clamp(q, Epsilon, 1 - Epsilon);
            loss -= y[j] * Math.Log(q);
            if (!clipped) yUnclipped += y[j];
            g[j] = clipped ? 0f : (float)(-y[j] / q);
        }
        double scale = 1 / (sum * n);
        for (int j = 0; j < p.Length; j++) g[j] = (float)((g[j] + yUnclipped) * scale);
        return loss;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["label_smoothing"] = (double)(decimal)LabelSmoothing;   // 0.1, not 0.10000000149
        c["axis"] = -1;
        return c;
    }
}
