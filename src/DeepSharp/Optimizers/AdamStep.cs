namespace DeepSharp.Optimizers;

/// <summary>Adam's update and config, shared by <see cref="Adam"/> and <see cref="AdamW"/> (Keras: AdamW subclasses Adam).</summary>
internal static class AdamStep
{
    /// <summary>
    /// Keras 3 Adam.update_step, t = iterations + 1: α = lr·√(1-β₂ᵗ)/(1-β₁ᵗ) with β cast to float32 first (Keras:
    /// ops.power(ops.cast(beta, dtype), step)), and the moments' factors 1-β computed from the Python floats (Keras:
    /// 1 - self.beta_1), then the backend's update.
    /// </summary>
    public static void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, long step, double learningRate, double beta1, double beta2, float epsilon, bool amsgrad)
    {
        float alpha = (float)((float)learningRate * Math.Sqrt(1 - Math.Pow((float)beta2, step)) / (1 - Math.Pow((float)beta1, step)));
        Backends.Backend.Current.AdamUpdate(w, g, slots[0], slots[1], amsgrad ? slots[2] : null, alpha, (float)(1 - beta1), (float)(1 - beta2), epsilon);
    }

    public static string SlotName(int slot) => slot switch { 0 => "momentum", 1 => "velocity", _ => "velocity_hat" };

    public static Dictionary<string, object?> Config(Dictionary<string, object?> c, double beta1, double beta2, float epsilon, bool amsgrad)
    {
        c["beta_1"] = beta1; c["beta_2"] = beta2; c["epsilon"] = epsilon; c["amsgrad"] = amsgrad;
        return c;
    }
}
