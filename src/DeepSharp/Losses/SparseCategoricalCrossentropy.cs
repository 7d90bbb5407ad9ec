namespace DeepSharp.Losses;

/// <summary>
/// Categorical crossentropy with integer class labels (N) or (N, 1) instead of one-hot rows (Keras 3's
/// <c>SparseCategoricalCrossentropy</c>, defaults from_logits=False, ignore_class=None; no label smoothing, as Keras).
/// From logits z (<paramref name="fromLogits"/>, or fused with a final softmax): loss = logsumexp(z) - z_y,
/// dz = (softmax(z) - onehot(y)) / N. Probabilities are handled as Keras 3's backend does (<c>keras/src/backend/numpy/nn.py</c>,
/// <c>sparse_categorical_crossentropy</c>): each row divided by its sum, clipped to [1e-7, 1 - 1e-7], then -log q_y
/// (see <see cref="CategoricalCrossentropy"/> for the gradient).
/// </summary>
/// <param name="fromLogits">Whether the model's outputs are logits (no final softmax); Keras' default false.</param>
/// <example><code>
/// model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
/// model.Compile(optimizer: "adam", loss: new SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
/// </code></example>
public sealed class SparseCategoricalCrossentropy(bool fromLogits = false) : Loss
{
    /// <summary>Keras' defaults (from probabilities).</summary>
    public SparseCategoricalCrossentropy() : this(false) { }

    /// <summary>Whether the model's outputs are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    public override string Name => "sparse_categorical_crossentropy";
    public override ActivationKind? FusedActivation => FromLogits ? null : ActivationKind.Softmax;

    public override void CheckTargets(ReadOnlySpan<int> outputShape, ReadOnlySpan<int> targetShape, string outputLayer)
    {
        bool ok = targetShape.Length == 1 || (targetShape.Length == 2 && targetShape[1] == 1);
        if (!ok)
            throw Mismatch(outputShape, targetShape, outputLayer,
                "sparse_categorical_crossentropy needs integer class labels of shape (N) or (N, 1); for one-hot labels use loss: \"categorical_crossentropy\".");
    }

    public override double Compute(Tensor predictions, Tensor? logits, Tensor targets, Span<float> gradient)
    {
        int n = predictions.Dim(0), c = predictions.Size / n;
        double total = 0;
        ReadOnlySpan<float> labels = targets.Span;
        Span<double> y = logits is null ? (c <= 256 ? stackalloc double[c] : new double[c]) : default;
        for (int i = 0; i < n; i++)
        {
            float label = labels[i];
            int t = (int)label;
            if (t < 0 || t >= c || t != label)
                throw new ArgumentException($"Loss '{Name}': label {label} in row {i} is not a class index in [0, {c - 1}]. Labels must be integers 0..{c - 1} for a model with {c} outputs.");
            var p = predictions.Span.Slice(i * c, c);
            var g = gradient.Slice(i * c, c);
            if (FromLogits)
            {
                // The outputs are the logits z: softmax(z) - onehot(t).
                double max = System.Numerics.Tensors.TensorPrimitives.Max(p), sumExp = 0;
                for (int j = 0; j < c; j++) sumExp += Math.Exp(p[j] - max);
                total += max + Math.Log(sumExp) - p[t];
                for (int j = 0; j < c; j++) g[j] = (float)((Math.Exp(p[j] - max) / sumExp - (j == t ? 1 : 0)) / n);
            }
            else if (logits is not null)
            {
                // Fused with the softmax (the training path, as before): p already sums to 1.
                var z = logits.Span.Slice(i * c, c);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(z);
                double sumExp = 0;
                for (int j = 0; j < c; j++) sumExp += Math.Exp(z[j] - max);
                total += max + Math.Log(sumExp) - z[t];
                for (int j = 0; j < c; j++) g[j] = (p[j] - (j == t ? 1f : 0f)) / n;
            }
            else
            {
                y.Clear();
                y[t] = 1;
                total += CategoricalCrossentropy.Probabilities(p, y, g, n);
            }
        }
        return total / n;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["ignore_class"] = null;
        c["axis"] = -1;
        return c;
    }
}
