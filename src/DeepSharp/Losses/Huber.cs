namespace DeepSharp.Losses;

/// <summary>
/// Keras' Huber loss (<c>keras/src/losses/losses.py</c>, <c>huber</c>): with d = p - y, 0.5·d² where |d| ≤ δ and
/// δ·|d| - 0.5·δ² beyond, averaged over the last axis and the batch; dp = clip(d, -δ, δ) / (N·D).
/// </summary>
/// <param name="delta">δ, where the loss turns from quadratic to linear; Keras' default 1.0.</param>
/// <example><code>model.Compile(optimizer: "adam", loss: new Huber(delta: 0.5));</code></example>
public sealed class Huber(double delta = 1.0) : Loss
{
    /// <summary>δ, where the loss turns from quadratic to linear.</summary>
    public float Delta { get; } = delta > 0 && double.IsFinite(delta) ? (float)delta
        : throw new ArgumentOutOfRangeException(nameof(delta), delta, $"Huber: delta must be a positive number, got {delta}.");

    public override string Name => "huber";

    public override double Compute(Tensor predictions, Tensor? logits, Tensor targets, Span<float> gradient)
    {
        int size = predictions.Size;
        ReadOnlySpan<float> p = predictions.Span, t = targets.Span;
        double total = 0, delta = Delta;
        for (int i = 0; i < size; i++)
        {
            double d = (double)p[i] - t[i], a = Math.Abs(d);
            total += a <= delta ? 0.5 * d * d : delta * a - 0.5 * delta * delta;
            gradient[i] = (float)(Math.Clamp(d, -delta, delta) / size);
        }
        return total / size;
    }

    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["name"] = "huber_loss";   // Keras' Huber class names its instances so
        c["delta"] = (double)(decimal)Delta;   // 0.1, not 0.10000000149
        return c;
    }
}
