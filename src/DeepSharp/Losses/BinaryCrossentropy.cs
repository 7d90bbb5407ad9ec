namespace DeepSharp.Losses;

/// <summary>
/// -[y log p + (1-y) log(1-p)], averaged over the last axis and the batch; targets are 0/1 of the output's shape
/// ((N) is accepted for an (N, 1) output). Keras 3's <c>BinaryCrossentropy</c> (<c>keras/src/losses/losses.py</c>):
/// <paramref name="labelSmoothing"/> ls replaces y by y·(1 - ls) + ls/2; probabilities are clipped to [1e-7, 1 - 1e-7].
/// From logits z (<paramref name="fromLogits"/>, or fused with a final sigmoid): loss = max(z,0) - z y + log(1 + e^{-|z|}),
/// dz = (σ(z) - y) / (N·D).
/// </summary>
/// <param name="fromLogits">Whether the model's outputs are logits (no final sigmoid); Keras' default false.</param>
/// <param name="labelSmoothing">In [0, 1]: smooths the 0/1 labels towards 0.5; Keras' default 0.</param>
/// <example><code>
/// model.Compile(optimizer: new RMSprop(learningRate: 1e-4), loss: "binary_crossentropy", metrics: ["accuracy"]);
/// model.Compile(optimizer: "adam", loss: new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1));
/// </code></example>
public sealed class BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0) : Loss
{
    /// <summary>Keras' defaults (from probabilities, no label smoothing).</summary>
    public BinaryCrossentropy() : this(false, 0) { }

    /// <summary>Whether the model's outputs are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>The label smoothing ls: targets become y·(1 - ls) + ls/2.</summary>
    public float LabelSmoothing { get; } = CrossentropyChecks.Smoothing(labelSmoothing, "BinaryCrossentropy");

    public override string Name => "binary_crossentropy";
    public override ActivationKind? FusedActivation => FromLogits ? null : ActivationKind.Sigmoid;

    public override void CheckTargets(ReadOnlySpan<int> outputShape, ReadOnlySpan<int> targetShape, string outputLayer)
    {
        if (Tensor.Product(targetShape[1..]) != Tensor.Product(outputShape[1..]))
            throw Mismatch(outputShape, targetShape, outputLayer,
                "binary_crossentropy needs one 0/1 label per output value" +
                (outputShape[^1] > 1 ? "; for single-label classes use categorical_crossentropy with a softmax output." : "."));
    }

    public override double Compute(Tensor predictions, Tensor? logits, Tensor targets, Span<float> gradient)
    {
        int size = predictions.Size;
        double total = 0, ls = LabelSmoothing;
        bool smooth = ls != 0;
        var zt = FromLogits ? predictions : logits;
        ReadOnlySpan<float> ys = targets.Span, ps = predictions.Span, zs = zt is null ? default : zt.Span;
        for (int i = 0; i < size; i++)
        {
            float y = smooth ? (float)(ys[i] * (1 - ls) + 0.5 * ls) : ys[i], p = ps[i];
            if (zt is not null)
            {
                float z = zs[i];
                if (FromLogits) p = (float)(1 / (1 + Math.Exp(-(double)z)));
                total += Math.Max(z, 0) - z * y + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                gradient[i] = (p - y) / size;
            }
            else
            {
                float pc = Math.Clamp(p, Epsilon, 1 - Epsilon);
                total -= y * Math.Log(pc) + (1 - y) * Math.Log(1 - pc);
                gradient[i] = (pc - y) / (pc * (1 - pc) * size);
            }
        }
        return total / size;
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
