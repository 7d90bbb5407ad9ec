namespace DeepSharp.Backends;

/// <summary>
/// How <see cref="IBackend.AffineTransform"/> extends an image past its edges, as Keras 3's numpy backend does it
/// (keras/src/backend/numpy/image.py, <c>map_coordinates</c>: the image is padded with <c>np.pad</c> in the mode below and
/// then interpolated inside): for an axis a b c d,
/// </summary>
internal enum ImageFill
{
    /// <summary>k k k k | a b c d | k k k k (the fill value).</summary>
    Constant,
    /// <summary>a a a a | a b c d | d d d d (np.pad "edge").</summary>
    Nearest,
    /// <summary>d c b a | a b c d | d c b a (np.pad "symmetric": about the outer edge of the border pixels).</summary>
    Reflect,
    /// <summary>a b c d | a b c d | a b c d (np.pad "wrap": period n).</summary>
    Wrap,
    /// <summary>d c b | a b c d | c b a (np.pad "reflect": about the border pixels).</summary>
    Mirror,
}
