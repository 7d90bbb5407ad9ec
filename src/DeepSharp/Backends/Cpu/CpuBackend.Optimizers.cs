using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>The optimizers' Keras 3 additions: Adagrad, Nadam, gradient clipping, weight decay and the weights' moving average.</summary>
public sealed partial class CpuBackend
{
    unsafe void IBackend.AdagradUpdate(Span<float> w, ReadOnlySpan<float> g, float[] accumulator, float lr, float eps)
    {
        fixed (float* pw = w, pg = g, pa = accumulator)
        {
            nint w0 = (nint)pw, g0 = (nint)pg, a0 = (nint)pa;
            UpdateLoop.Run(w.Length, (i0, i1) => OptimizerKernels.Adagrad((float*)w0, (float*)g0, (float*)a0, i0, i1, lr, eps));
        }
    }

    unsafe void IBackend.NadamUpdate(Span<float> w, ReadOnlySpan<float> g, float[] m, float[] v, float lr, float b1, float b2, float c1, float c2, float bc2, float eps)
    {
        fixed (float* pw = w, pg = g, pm = m, pv = v)
        {
            nint w0 = (nint)pw, g0 = (nint)pg, m0 = (nint)pm, v0 = (nint)pv;
            UpdateLoop.Run(w.Length, (i0, i1) => OptimizerKernels.Nadam((float*)w0, (float*)g0, (float*)m0, (float*)v0, i0, i1, lr, b1, b2, c1, c2, bc2, eps));
        }
    }

    double IBackend.SumOfSquares(ReadOnlySpan<float> x)
    {
        // Vector sums in float over blocks of 4096, the blocks summed in double: a 25M-weight kernel keeps ~7 digits.
        const int block = 4096;
        double sum = 0;
        for (int i = 0; i < x.Length; i += block)
            sum += TensorPrimitives.SumOfSquares(x.Slice(i, Math.Min(block, x.Length - i)));
        return sum;
    }

    void IBackend.Scale(Span<float> x, float factor) => TensorPrimitives.Multiply(x, factor, x);

    void IBackend.ClipByValue(Span<float> x, float limit)
    {
        TensorPrimitives.Min(x, limit, x);
        TensorPrimitives.Max(x, -limit, x);
    }

    void IBackend.MovingAverageUpdate(Span<float> average, ReadOnlySpan<float> w, float momentum)
    {
        // μ·a + (1-μ)·w as Keras writes it, in two vector passes.
        TensorPrimitives.Multiply(average, momentum, average);
        TensorPrimitives.MultiplyAdd(w, 1 - momentum, average, average);
    }

    double IBackend.L1L2Penalty(ReadOnlySpan<float> w, float l1, float l2)
    {
        // Vector sums in float over blocks of 4096, the blocks summed in double (as SumOfSquares).
        const int block = 4096;
        double abs = 0, squares = 0;
        for (int i = 0; i < w.Length; i += block)
        {
            var part = w.Slice(i, Math.Min(block, w.Length - i));
            if (l1 != 0) abs += TensorPrimitives.SumOfMagnitudes(part);
            if (l2 != 0) squares += TensorPrimitives.SumOfSquares(part);
        }
        return l1 * abs + l2 * squares;
    }

    void IBackend.L1L2Gradient(ReadOnlySpan<float> w, Span<float> g, float l1, float twoL2)
    {
        if (twoL2 != 0) TensorPrimitives.MultiplyAdd(w, twoL2, g, g);
        if (l1 != 0)
            for (int i = 0; i < w.Length; i++)
                if (w[i] != 0) g[i] += w[i] > 0 ? l1 : -l1;
    }
}
