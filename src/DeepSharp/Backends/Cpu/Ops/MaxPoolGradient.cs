namespace DeepSharp.Backends.Cpu;

/// <summary>
/// A max pooling's backward pass before it is scattered: its output gradient dy, its winners (flat indices into its
/// input) and its output y, over windows that do not overlap. The layer that produced the pooling's input can take its
/// gradient from this directly: its dz at (n, oy, ox, c) is dy at the window holding (oy, ox) where that pixel won, else
/// 0, and the ReLU's mask is y &gt; 0 there (a window's maximum is its winner's value). That never writes the dense
/// gradient of the pooling's input, nor reads it back.
/// </summary>
/// <param name="Dy">(N, OutH, OutW, C): the pooling's output gradient.</param>
/// <param name="Argmax">Per output element, the flat index of its winner in the pooling's input.</param>
/// <param name="Y">(N, OutH, OutW, C): the pooling's output.</param>
/// <param name="Geometry">The pooling's geometry (In* is the producer's output, Out* the pooled size).</param>
internal readonly record struct MaxPoolGradient(float[] Dy, int[] Argmax, float[] Y, ConvGeometry Geometry)
{
    /// <summary>The gradient of a CPU max pooling: its output gradient, argmax and output.</summary>
    public MaxPoolGradient(Tensor dy, int[] argmax, Tensor y, ConvGeometry geometry) : this(dy.Data, argmax, y.Data, geometry) { }

    /// <summary>Whether a pooling with this geometry can hand its gradient over unscattered: its windows do not overlap.</summary>
    public static bool Applies(in ConvGeometry pooling) => pooling.StrideH >= pooling.KH && pooling.StrideW >= pooling.KW;

    /// <summary>True when the pooling reads the whole output of a convolution with geometry <paramref name="conv"/> and <paramref name="filters"/> filters.</summary>
    public bool Follows(in ConvGeometry conv, int filters) =>
        Geometry.Batch == conv.Batch && Geometry.InH == conv.OutH && Geometry.InW == conv.OutW && Geometry.InC == filters;

    /// <summary>
    /// The pooled element whose window holds input pixel (iy, ix) of image n, times C (add the channel), or -1 when
    /// no window holds it (the rows and columns a "valid" pooling drops).
    /// </summary>
    public int WindowOf(int n, int iy, int ix)
    {
        var g = Geometry;
        int ty = iy + g.PadTop, tx = ix + g.PadLeft;
        int py = ty / g.StrideH, px = tx / g.StrideW;
        if (ty - py * g.StrideH >= g.KH || tx - px * g.StrideW >= g.KW || py >= g.OutH || px >= g.OutW) return -1;
        return ((n * g.OutH + py) * g.OutW + px) * g.InC;
    }
}
