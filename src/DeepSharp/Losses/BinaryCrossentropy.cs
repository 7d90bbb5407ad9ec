using DeepSharp.Backends.Cpu;

namespace DeepSharp.Losses;

/// <summary>
/// -[y log p + (1-y) log(1-p)], averaged over the last axis and the batch; targets are 0/1 of the output's shape
/// ((N) is accepted for an (N, 1) output).
/// Fused with sigmoid: loss = max(z,0) - z y + log(1 + e^{-|z|}),  dz = (σ(z) - y) / (N·D).
/// </summary>
/// <example><code>model.Compile(optimizer: new RMSprop(learningRate: 1e-4), loss: "binary_crossentropy", metrics: ["accuracy"]);</code></example>
public sealed class BinaryCrossentropy : Loss
{
    public override string Name => "binary_crossentropy";
    public override ActivationKind? FusedActivation => ActivationKind.Sigmoid;

    public override void CheckTargets(ReadOnlySpan<int> outputShape, ReadOnlySpan<int> targetShape, string outputLayer)
    {
        if (Tensor.Product(targetShape[1..]) != Tensor.Product(outputShape[1..]))
            throw Mismatch(outputShape, targetShape, outputLayer,
                "binary_crossentropy needs one 0/1 label per output value" +
                (outputShape[^1] > 1 ? "; for single-label classes use categorical_crossentropy with a softmax output." : "."));
    }

    public override double Compute(Tensor predictions, Tensor? logits, Tensor targets, Span<float> gradient)
    {
        int n = predictions.Dim(0), size = predictions.Size;
        double total = 0;
        ReadOnlySpan<float> ys = targets.Span, ps = predictions.Span, zs = logits is null ? default : logits.Span;
        for (int i = 0; i < size; i++)
        {
            float y = ys[i], p = ps[i];
            if (logits is not null)
            {
                float z = zs[i];
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
}
