using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace DeepSharp.Gpu.Kernels;

/// <summary>Activations, their gradients, the fused softmax + categorical crossentropy and RMSprop's update.</summary>
internal static class ElementwiseKernels
{
    public const int Linear = 0, Relu = 1, Sigmoid = 2;

    /// <summary>y = act(x) for linear, relu, sigmoid (x and y may be the same view).</summary>
    public static void Activation(Index1D i, ArrayView1D<float, Stride1D.Dense> x, ArrayView1D<float, Stride1D.Dense> y, int kind)
    {
        float v = x[i];
        y[i] = kind == Relu ? (v > 0 ? v : 0f) : kind == Sigmoid ? 1f / (1f + XMath.Exp(-v)) : v;
    }

    /// <summary>dx = act'(y)·dy from the output y (relu: y &gt; 0; sigmoid: y(1-y); linear: 1); dy and dx may be the same view.</summary>
    public static void ActivationBackward(Index1D i, ArrayView1D<float, Stride1D.Dense> y, ArrayView1D<float, Stride1D.Dense> dy,
        ArrayView1D<float, Stride1D.Dense> dx, int kind)
    {
        float g = dy[i], v = y[i];
        dx[i] = kind == Relu ? (v > 0 ? g : 0f) : kind == Sigmoid ? g * v * (1f - v) : g;
    }

    /// <summary>Softmax of one row of <paramref name="width"/> values per thread (x and y may be the same view).</summary>
    public static void SoftmaxRows(Index1D row, ArrayView1D<float, Stride1D.Dense> x, ArrayView1D<float, Stride1D.Dense> y, int width)
    {
        int at = row * width;
        float max = float.NegativeInfinity;
        for (int j = 0; j < width; j++) max = XMath.Max(max, x[at + j]);
        float sum = 0;
        for (int j = 0; j < width; j++) sum += XMath.Exp(x[at + j] - max);
        float inv = 1f / sum;
        for (int j = 0; j < width; j++) y[at + j] = XMath.Exp(x[at + j] - max) * inv;
    }

    /// <summary>dx = y ⊙ (dy - Σ dy·y) per row (the softmax Jacobian); dy and dx may be the same view.</summary>
    public static void SoftmaxBackwardRows(Index1D row, ArrayView1D<float, Stride1D.Dense> y, ArrayView1D<float, Stride1D.Dense> dy,
        ArrayView1D<float, Stride1D.Dense> dx, int width)
    {
        int at = row * width;
        float s = 0;
        for (int j = 0; j < width; j++) s += dy[at + j] * y[at + j];
        for (int j = 0; j < width; j++) dx[at + j] = y[at + j] * (dy[at + j] - s);
    }

    /// <summary>
    /// The fused softmax + categorical crossentropy of one row per thread (<c>Losses.CategoricalCrossentropy</c>'s logits
    /// path): p = softmax(z); loss = logsumexp(z)·Σy - Σ y·z; dz = (p·Σy - y) / batch.
    /// </summary>
    public static void SoftmaxCrossentropyRows(Index1D row, ArrayView1D<float, Stride1D.Dense> z, ArrayView1D<float, Stride1D.Dense> targets,
        ArrayView1D<float, Stride1D.Dense> p, ArrayView1D<float, Stride1D.Dense> dz, ArrayView1D<float, Stride1D.Dense> rowLoss, int width, int batch)
    {
        int at = row * width;
        float max = float.NegativeInfinity;
        for (int j = 0; j < width; j++) max = XMath.Max(max, z[at + j]);
        float sumExp = 0, ySum = 0, yz = 0;
        for (int j = 0; j < width; j++)
        {
            float y = targets[at + j];
            sumExp += XMath.Exp(z[at + j] - max);
            ySum += y;
            yz += y * z[at + j];
        }
        rowLoss[row] = (max + XMath.Log(sumExp)) * ySum - yz;
        float inv = 1f / sumExp, invBatch = 1f / batch;
        for (int j = 0; j < width; j++)
        {
            float pj = XMath.Exp(z[at + j] - max) * inv;
            p[at + j] = pj;
            dz[at + j] = (pj * ySum - targets[at + j]) * invBatch;
        }
    }

    /// <summary>The RMSprop arguments (a struct: the kernel takes them by value).</summary>
    public struct RmsPropArgs
    {
        public float LearningRate, Rho, Epsilon, Momentum;
    }

    /// <summary>Keras' RMSprop, ε inside the root: a = ρa + (1-ρ)g²; step = lr·g/√(a+ε); w -= step, or v = m·v + step, w -= v.</summary>
    public static void RmsProp(Index1D i, ArrayView1D<float, Stride1D.Dense> w, ArrayView1D<float, Stride1D.Dense> g,
        ArrayView1D<float, Stride1D.Dense> average, ArrayView1D<float, Stride1D.Dense> velocity, RmsPropArgs p)
    {
        float gi = g[i];
        float a = p.Rho * average[i] + (1 - p.Rho) * gi * gi;
        average[i] = a;
        float step = p.LearningRate * gi / XMath.Sqrt(a + p.Epsilon);
        if (p.Momentum > 0)
        {
            float v = p.Momentum * velocity[i] + step;
            velocity[i] = v;
            w[i] -= v;
        }
        else w[i] -= step;
    }
}
