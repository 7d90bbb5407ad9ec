using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Transposed convolution (Keras' Conv2DTranspose) as the adjoint of the convolution of geometry g, whose input has
/// the transposed convolution's output shape (N, g.InH, g.InW, F) and whose output has its input shape
/// (N, g.OutH, g.OutW, C), with the kernel (KH, KW, F, C) Keras stores, which is that convolution's (kh, kw, in, out):
/// Forward:  y = the input gradient of that convolution for dy = x (<see cref="Conv2DOp.Backward"/>: col2im, Winograd,
///           implicit GEMM or the sparse pass, whichever it picks), plus the bias;
/// Backward: dx = that convolution of dy (<see cref="Conv2DOp.Forward"/>); dw = its kernel gradient for input dy and
///           output gradient x; db = the column sums of dy.
/// </summary>
internal static class TransposedConvOp
{
    public static void Forward(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g, ref float[]? workspace)
    {
        // The convolution's input (y) is only read for a kernel gradient, which is not asked for here.
        Conv2DOp.Backward(y, kernel, x, y, null, null, g, ref workspace);
        if (bias is null) return;
        int f = g.InC;
        var b = bias.Span;
        var yd = y.Span;
        for (int p = 0, pixels = g.Batch * g.InH * g.InW; p < pixels; p++)
        {
            var row = yd.Slice(p * f, f);
            TensorPrimitives.Add(row, b, row);
        }
    }

    public static void Backward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias, in ConvGeometry g, ref float[]? workspace)
    {
        if (dBias is not null) VectorOps.ColumnSums(dy.Span, g.Batch * g.InH * g.InW, g.InC, dBias.Span);
        if (dx is not null) Conv2DOp.Forward(dy, kernel, null, dx, g, Epilogue.None, ref workspace);
        if (dKernel is not null) Conv2DOp.Backward(dy, kernel, x, null, dKernel, null, g, ref workspace);
    }
}
