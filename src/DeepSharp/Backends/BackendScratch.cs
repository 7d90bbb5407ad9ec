namespace DeepSharp.Backends;

/// <summary>
/// Buffers a backend keeps for one layer between steps (a convolution's im2col or Winograd workspace, its masked
/// output gradient), so a training step allocates nothing after the first. The layer owns one and hands it to every
/// call; what is inside is the backend's business.
/// </summary>
internal sealed class BackendScratch
{
    /// <summary>A float workspace, grown on demand.</summary>
    public float[]? Floats;

    /// <summary>A tensor the backend writes an intermediate gradient into (a ReLU-masked dy).</summary>
    public Tensor? Gradient;
}
