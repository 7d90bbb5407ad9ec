namespace DeepSharp.Losses;

/// <summary>mean(|p - y|) over the last axis and the batch (Keras' "mean_absolute_error", "mae");  dp = sign(p - y) / (N·D).</summary>
/// <example><code>model.Compile(optimizer: "rmsprop", loss: "mae");</code></example>
public sealed class MeanAbsoluteError : Loss
{
    public override string Name => "mean_absolute_error";

    public override double Compute(Tensor predictions, Tensor? logits, Tensor targets, Span<float> gradient)
    {
        int size = predictions.Size;
        ReadOnlySpan<float> p = predictions.Span, t = targets.Span;
        double total = 0;
        for (int i = 0; i < size; i++)
        {
            double d = (double)p[i] - t[i];
            total += Math.Abs(d);
            gradient[i] = (float)(Math.Sign(d) / (double)size);
        }
        return total / size;
    }
}
