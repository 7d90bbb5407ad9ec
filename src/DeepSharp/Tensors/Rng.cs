namespace DeepSharp;

/// <summary>
/// The library's seeded random numbers: weight initializers, dropout masks and shuffling draw from here,
/// so <c>Rng.SetSeed(42)</c> makes a whole run repeatable (Keras: <c>keras.utils.set_random_seed</c>).
/// </summary>
/// <example><code>Rng.SetSeed(42); var model = new Sequential(...);</code></example>
public static class Rng
{
    private static System.Random _global = new(1337);
    private static readonly object Lock = new();

    /// <summary>Reseeds the global generator. Layers created afterwards get repeatable weights.</summary>
    public static void SetSeed(int seed)
    {
        lock (Lock) _global = new System.Random(seed);
    }

    /// <summary>A new independent generator seeded from the global one.</summary>
    public static System.Random Fork()
    {
        lock (Lock) return new System.Random(_global.Next());
    }

    /// <summary>Uniform floats in [low, high).</summary>
    public static void Uniform(System.Random r, Span<float> dst, float low, float high)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = low + (high - low) * (float)r.NextDouble();
    }

    /// <summary>Normal floats with the given mean and standard deviation (Box-Muller).</summary>
    public static void Normal(System.Random r, Span<float> dst, float mean, float std)
    {
        for (int i = 0; i < dst.Length; i += 2)
        {
            double u1 = 1.0 - r.NextDouble(), u2 = r.NextDouble();
            double mag = Math.Sqrt(-2.0 * Math.Log(u1));
            dst[i] = mean + std * (float)(mag * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < dst.Length) dst[i + 1] = mean + std * (float)(mag * Math.Sin(2 * Math.PI * u2));
        }
    }

    /// <summary>A random permutation of 0..n-1 written into <paramref name="order"/>.</summary>
    public static void Shuffle(System.Random r, Span<int> order)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = r.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
