using DeepSharp.Backends;

namespace DeepSharp.Layers;

/// <summary>
/// The part RandomFlip, RandomRotation, RandomZoom and RandomTranslation share: in training, one 2×3 matrix per image
/// (Keras' a0 a1 a2 b0 b1 b2, mapping an output pixel to the input point it reads) applied by the backend's
/// <see cref="IBackend.AffineTransform"/>; in inference the identity. Owns the matrices and the output buffer.
/// </summary>
internal sealed class AffineAugmentation(Layer owner, ImageFill fill, bool nearest, float fillValue)
{
    private float[] _transforms = [];
    private Tensor? _y;

    public ImageFill Fill { get; } = fill;
    public bool Nearest { get; } = nearest;
    public float FillValue { get; } = fillValue;

    /// <summary>Whether the last call transformed its input (training), so that no input gradient can be given.</summary>
    public bool Applied { get; private set; }

    /// <summary>The matrices of the next call, 6 floats per image (sized for <paramref name="batch"/> images).</summary>
    public Span<float> Matrices(int batch)
    {
        if (_transforms.Length < batch * 6) _transforms = new float[batch * 6];
        return _transforms.AsSpan(0, batch * 6);
    }

    /// <summary>Applies the matrices set through <see cref="Matrices"/> to x.</summary>
    public Tensor Apply(Tensor x)
    {
        Applied = true;
        Tensor.Ensure(ref _y, x.Shape);
        Backend.Current.AffineTransform(x, _y!, _transforms, Nearest, Fill, FillValue);
        return _y!;
    }

    /// <summary>Returns x untouched (inference).</summary>
    public Tensor Skip(Tensor x)
    {
        Applied = false;
        return x;
    }

    /// <summary>The identity's gradient in inference; an error for a training-mode call.</summary>
    public Tensor Backward(Tensor dy) => Applied ? throw ImagePreprocessing.NoTrainingGradient(owner) : dy;

    /// <summary>
    /// Keras' <c>_compute_affine_matrix</c> for a rotation by <paramref name="degrees"/> about the image centre, in float32
    /// as Keras computes it (base_image_preprocessing_layer.py; shear 0, scale 1, no translation).
    /// </summary>
    public static void Rotation(float degrees, int height, int width, Span<float> m)
    {
        float angle = degrees * (float)(Math.PI / 180.0);
        float cx = 0.5f * (width - 1f), cy = 0.5f * (height - 1f);
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        float a0 = 1f * (cos + 0f * sin), a1 = 1f * (-sin + 0f * cos);
        float b0 = 1f * (0f * cos + sin), b1 = 1f * (0f * -sin + cos);
        m[0] = a0;
        m[1] = a1;
        m[2] = 0f + cx - cx * a0 - cy * a1;
        m[3] = b0;
        m[4] = b1;
        m[5] = 0f + cy - cx * b0 - cy * b1;
    }

    /// <summary>Keras' <c>_get_zoom_matrix</c> (random_zoom.py): scale by (zx, zy) about the centre, in float32.</summary>
    public static void Zoom(float zx, float zy, int height, int width, Span<float> m)
    {
        m[0] = zx;
        m[1] = 0f;
        m[2] = ((width - 1f) / 2f) * (1f - zx);
        m[3] = 0f;
        m[4] = zy;
        m[5] = ((height - 1f) / 2f) * (1f - zy);
    }

    /// <summary>Keras' <c>_get_translation_matrix</c> (random_translation.py): the image moves by (dx, dy) pixels.</summary>
    public static void Translation(float dx, float dy, Span<float> m)
    {
        m[0] = 1f; m[1] = 0f; m[2] = -dx;
        m[3] = 0f; m[4] = 1f; m[5] = -dy;
    }
}
