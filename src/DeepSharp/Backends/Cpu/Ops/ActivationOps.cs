using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Elementwise activations and softmax (over the last axis). Each backward gets the forward's input x and output y and
/// reads what its derivative needs: relu' = [y &gt; 0], sigmoid' = y(1-y), tanh' = 1-y², softmax: dx = y ⊙ (dy - Σ dy⊙y);
/// the others (relu6, leaky_relu, elu, selu, gelu, silu, softplus, hard_sigmoid) from x, in
/// <see cref="ActivationFunctions"/>.
/// </summary>
internal static class ActivationOps
{
    /// <summary>y = act(x); x and y may be the same span. Softmax runs over rows of <paramref name="lastDim"/>.</summary>
    public static void Forward(ActivationKind kind, ReadOnlySpan<float> x, Span<float> y, int lastDim)
    {
        switch (kind)
        {
            case ActivationKind.Linear: if (!x.Overlaps(y)) x.CopyTo(y); break;
            case ActivationKind.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case ActivationKind.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case ActivationKind.Tanh: TensorPrimitives.Tanh(x, y); break;
            case ActivationKind.Softmax:
                for (int r = 0; r < x.Length; r += lastDim)
                    Softmax(x.Slice(r, lastDim), y.Slice(r, lastDim));
                break;
            case ActivationKind.Relu6:
                TensorPrimitives.Max(x, 0f, y);
                TensorPrimitives.Min(y, 6f, y);
                break;
            default: ActivationFunctions.Forward(kind, x, y); break;
        }
    }

    /// <summary>dx = dy · act'(x), from the forward's input x and output y. dy and dx may be the same span.</summary>
    public static void Backward(ActivationKind kind, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int lastDim)
    {
        switch (kind)
        {
            case ActivationKind.Linear:
                if (!dy.Overlaps(dx)) dy.CopyTo(dx);
                break;
            case ActivationKind.Relu:
                VectorOps.ReluBackward(y, dy, dx);
                break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * y[i] * (1f - y[i]);
                break;
            case ActivationKind.Tanh:
                for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * (1f - y[i] * y[i]);
                break;
            case ActivationKind.Softmax:
                for (int r = 0; r < y.Length; r += lastDim)
                {
                    var yr = y.Slice(r, lastDim);
                    float dot = TensorPrimitives.Dot(dy.Slice(r, lastDim), yr);
                    for (int j = 0; j < lastDim; j++) dx[r + j] = yr[j] * (dy[r + j] - dot);
                }
                break;
            default: ActivationFunctions.Backward(kind, x, dy, dx); break;
        }
    }

    /// <summary>dx[i] = y[i] &gt; 0 ? dy[i] : 0 over the first <paramref name="length"/> values, on all cores when large.</summary>
    public static void ReluBackward(float[] y, float[] dy, float[] dx, int length) => VectorOps.ReluBackward(y, dy, dx, length);

    /// <summary>
    /// ReLU's backward and the bias gradient in one pass over a rows×cols matrix: dx = y &gt; 0 ? dy : 0 and
    /// sums[j] = Σ_i dx[i, j]. Returns false (doing nothing) when no vector width fits cols; then run the two passes.
    /// </summary>
    public static bool ReluBackwardWithColumnSums(float[] y, float[] dy, float[] dx, int rows, int cols, Span<float> sums) =>
        VectorOps.ReluBackwardColumnSums(y, dy, dx, rows, cols, sums);

    /// <summary>Numerically stable softmax of one row: exp(x - max) / Σ exp(x - max).</summary>
    public static void Softmax(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        float sum = TensorPrimitives.Sum(y);
        TensorPrimitives.Multiply(y, 1f / sum, y);
    }
}
