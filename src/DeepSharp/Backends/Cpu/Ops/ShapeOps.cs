using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>Dropout, zero padding and elementwise addition, forward and backward.</summary>
internal static class ShapeOps
{
    // ---- dropout (inverted: survivors are scaled by 1/(1-rate) at training time) ----

    /// <summary>mask[i] = 0 or 1/(1-rate); y = x ⊙ mask.</summary>
    public static void DropoutForward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, System.Random random)
    {
        float keep = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++) mask[i] = random.NextSingle() < rate ? 0f : keep;
        TensorPrimitives.Multiply(x, mask, y);
    }

    /// <summary>dx = dy ⊙ mask.</summary>
    public static void DropoutBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, Span<float> dx) =>
        TensorPrimitives.Multiply(dy, mask, dx);

    // ---- zero padding of (N, H, W, C) ----

    /// <summary>y (N, top+H+bottom, left+W+right, C) = x placed at (top, left), zeros elsewhere.</summary>
    public static void ZeroPadForward(Tensor x, Tensor y, int top, int left)
    {
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3);
        int oh = y.Dim(1), ow = y.Dim(2);
        y.Span.Clear();
        for (int b = 0; b < n; b++)
            for (int i = 0; i < h; i++)
                x.Data.AsSpan(((b * h + i) * w) * c, w * c)
                    .CopyTo(y.Data.AsSpan(((b * oh + i + top) * ow + left) * c, w * c));
    }

    /// <summary>dx = the (top, left) window of dy.</summary>
    public static void ZeroPadBackward(Tensor dy, Tensor dx, int top, int left)
    {
        int n = dx.Dim(0), h = dx.Dim(1), w = dx.Dim(2), c = dx.Dim(3);
        int oh = dy.Dim(1), ow = dy.Dim(2);
        for (int b = 0; b < n; b++)
            for (int i = 0; i < h; i++)
                dy.Data.AsSpan(((b * oh + i + top) * ow + left) * c, w * c)
                    .CopyTo(dx.Data.AsSpan(((b * h + i) * w) * c, w * c));
    }

    // ---- addition of same-shape tensors (residual connections) ----

    /// <summary>y = Σ inputs. The backward of an addition hands dy unchanged to every input.</summary>
    public static void AddForward(IReadOnlyList<Tensor> inputs, Tensor y)
    {
        inputs[0].Span.CopyTo(y.Span);
        for (int i = 1; i < inputs.Count; i++) TensorPrimitives.Add(y.Span, inputs[i].Span, y.Span);
    }

    /// <summary>y = Π inputs.</summary>
    public static void MultiplyForward(IReadOnlyList<Tensor> inputs, Tensor y)
    {
        inputs[0].Span.CopyTo(y.Span);
        for (int i = 1; i < inputs.Count; i++) TensorPrimitives.Multiply(y.Span, inputs[i].Span, y.Span);
    }

    /// <summary>dx = dy ⊙ Π_{j≠skip} inputs[j].</summary>
    public static void MultiplyBackward(IReadOnlyList<Tensor> inputs, int skip, Tensor dy, Tensor dx)
    {
        dy.Span.CopyTo(dx.Span);
        for (int j = 0; j < inputs.Count; j++)
            if (j != skip) TensorPrimitives.Multiply(dx.Span, inputs[j].Span, dx.Span);
    }

    // ---- channel dropout (SpatialDropout2D): one draw per (image, channel) ----

    /// <summary>mask (N, C) = 0 or 1/(1-rate), drawn in (n, c) order; y[n, ..., c] = x[n, ..., c] · mask[n, c].</summary>
    public static void ChannelDropoutForward(Tensor x, Tensor y, Tensor mask, float rate, System.Random random)
    {
        float keep = 1f / (1f - rate);
        int n = x.Dim(0), c = x.Dim(-1);
        for (int i = 0; i < n * c; i++) mask.Data[i] = random.NextSingle() < rate ? 0f : keep;
        ChannelScale(x, mask, y);
    }

    /// <summary>dx = dy ⊙ mask, broadcast over the middle axes.</summary>
    public static void ChannelDropoutBackward(Tensor dy, Tensor mask, Tensor dx) => ChannelScale(dy, mask, dx);

    private static void ChannelScale(Tensor x, Tensor mask, Tensor y)
    {
        int n = x.Dim(0), c = x.Dim(-1), inner = x.Size / (n * c);
        for (int b = 0; b < n; b++)
        {
            var m = mask.Data.AsSpan(b * c, c);
            for (int p = 0; p < inner; p++)
            {
                int at = (b * inner + p) * c;
                TensorPrimitives.Multiply(x.Data.AsSpan(at, c), m, y.Data.AsSpan(at, c));
            }
        }
    }
}
