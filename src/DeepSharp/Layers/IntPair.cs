namespace DeepSharp.Layers;

/// <summary>
/// A (height, width) pair of a kernel size, stride or pool size, written as Keras allows: one int for a square window
/// (<c>3</c> means (3, 3)) or a tuple (<c>(3, 1)</c>).
/// </summary>
/// <example><code>
/// new Conv2D(64, 3, strides: 2)          // kernel (3, 3), strides (2, 2)
/// new MaxPooling2D(2)                    // pool (2, 2)
/// new Conv2D(64, (1, 7), padding: "same")
/// </code></example>
public readonly record struct IntPair(int H, int W)
{
    /// <summary>A square window: n becomes (n, n).</summary>
    public static implicit operator IntPair(int n) => new(n, n);

    /// <summary>A (height, width) tuple.</summary>
    public static implicit operator IntPair((int H, int W) pair) => new(pair.H, pair.W);

    /// <summary>The pair as a tuple, as layers expose it.</summary>
    public static implicit operator (int H, int W)(IntPair pair) => (pair.H, pair.W);

    public override string ToString() => $"({H}, {W})";
}
