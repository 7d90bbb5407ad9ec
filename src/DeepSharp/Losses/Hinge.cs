namespace DeepSharp.Losses;

/// <summary>
/// Keras' hinge loss (<c>keras/src/losses/losses.py</c>, <c>hinge</c>): mean(max(1 - y·p, 0)) over the last axis and the
/// batch, for labels -1/1; labels that are all 0 or 1 (in the batch) are first turned into -1/1 (2y - 1), as Keras'
/// <c>convert_binary_labels_to_hinge</c> does. dp = -y / (N·D) where 1 - y·p &gt; 0, else 0.
/// </summary>
/// <example><code>model.Compile(optimizer: "sgd", loss: "hinge");</code></example>
public sealed class Hinge : Loss
{
    public override string Name => "hinge";

    public override double Compute(Tensor predictions, Tensor? logits, Tensor targets, Span<float> gradient)
    {
        int size = predictions.Size;
        ReadOnlySpan<float> t = targets.Span, p = predictions.Span;
        bool binary = true;
        foreach (float v in t) binary &= v is 0f or 1f;
        double total = 0;
        for (int i = 0; i < size; i++)
        {
            double y = binary ? 2.0 * t[i] - 1 : t[i];
            double margin = 1 - y * p[i];
            total += Math.Max(margin, 0);
            gradient[i] = margin > 0 ? (float)(-y / size) : 0f;
        }
        return total / size;
    }
}
