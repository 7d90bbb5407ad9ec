using DeepSharp.Backends.Cpu;

namespace DeepSharp.Losses;

/// <summary>
/// -Σ_c y_c log p_c, averaged over the batch; targets are one-hot (N, C) (see <c>Utils.ToCategorical</c>).
/// Fused with softmax: loss = logsumexp(z)·Σy - Σ y z,  dz = (softmax(z)·Σy - y) / N.
/// Unfused (probabilities): p clipped to [1e-7, 1-1e-7] as Keras does, dp = -y / (p N).
/// </summary>
/// <example><code>model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy");</code></example>
public sealed class CategoricalCrossentropy : Loss
{
    public override string Name => "categorical_crossentropy";
    public override ActivationKind? FusedActivation => ActivationKind.Softmax;

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
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var y = targets.Span.Slice(i * c, c);
            var g = gradient.Slice(i * c, c);
            if (logits is not null)
            {
                var z = logits.Span.Slice(i * c, c);
                var p = predictions.Span.Slice(i * c, c);
                float max = System.Numerics.Tensors.TensorPrimitives.Max(z);
                double sumExp = 0, ySum = 0, yz = 0;
                for (int j = 0; j < c; j++) { sumExp += Math.Exp(z[j] - max); ySum += y[j]; yz += y[j] * z[j]; }
                total += (max + Math.Log(sumExp)) * ySum - yz;
                for (int j = 0; j < c; j++) g[j] = (float)((p[j] * ySum - y[j]) / n);
            }
            else
            {
                var p = predictions.Span.Slice(i * c, c);
                for (int j = 0; j < c; j++)
                {
                    float pj = Math.Clamp(p[j], Epsilon, 1 - Epsilon);
                    total -= y[j] * Math.Log(pj);
                    g[j] = -y[j] / (pj * n);
                }
            }
        }
        return total / n;
    }
}
