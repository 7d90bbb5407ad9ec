namespace DeepSharp.Losses;

/// <summary>mean((p - y)²) over the last axis and the batch;  dp = 2 (p - y) / (N·D).</summary>
/// <example><code>model.Compile(optimizer: "sgd", loss: "mse");</code></example>
public sealed class MeanSquaredError : Loss
{
    public override string Name => "mean_squared_error";

    public override double Compute(Tensor predictions, Tensor? logits, Tensor targets, Span<float> gradient)
    {
        int size = predictions.Size;
        ReadOnlySpan<float> p = predictions.Span, t = targets.Span;
        double total = 0;
        for (int i = 0; i < size; i++)
        {
            float d = p[i] - t[i];
            total += d * d;
            gradient[i] = 2 * d / size;
        }
        return total / size;
    }
}
