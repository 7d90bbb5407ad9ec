using DeepSharp.Backends.Cpu;

namespace DeepSharp.Losses;

/// <summary>
/// Categorical crossentropy with integer class labels (N) or (N, 1) instead of one-hot rows.
/// Fused with softmax: loss = logsumexp(z) - z_y,  dz = (softmax(z) - onehot(y)) / N.
/// </summary>
/// <example><code>model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);</code></example>
public sealed class SparseCategoricalCrossentropy : Loss
{
    public override string Name => "sparse_categorical_crossentropy";
    public override ActivationKind? FusedActivation => ActivationKind.Softmax;

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
        for (int i = 0; i < n; i++)
        {
            float label = labels[i];
            int t = (int)label;
            if (t < 0 || t >= c || t != label)
                throw new ArgumentException($"Loss '{Name}': label {label} in row {i} is not a class index in [0, {c - 1}]. Labels must be integers 0..{c - 1} for a model with {c} outputs.");
            var p = predictions.Span.Slice(i * c, c);
            var g = gradient.Slice(i * c, c);
            if (logits is not null)
            {
                var z = logits.Span.Slice(i * c, c);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(z);
                double sumExp = 0;
                for (int j = 0; j < c; j++) sumExp += Math.Exp(z[j] - max);
                total += max + Math.Log(sumExp) - z[t];
                for (int j = 0; j < c; j++) g[j] = (p[j] - (j == t ? 1f : 0f)) / n;
            }
            else
            {
                g.Clear();
                float pt = Math.Clamp(p[t], Epsilon, 1 - Epsilon);
                total -= Math.Log(pt);
                g[t] = -1f / (pt * n);
            }
        }
        return total / n;
    }
}
