
namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Fully connected layer math, kernel in Keras' layout (in, out):
/// Forward:  y[N×out] = x[N×in] · W[in×out] + b
/// Backward: dW = xᵀ · dy,  db = Σ_N dy,  dx = dy · Wᵀ
/// </summary>
internal static class DenseOp
{
    public static void Forward(Tensor x, Tensor kernel, Tensor? bias, Tensor y, Epilogue epilogue = Epilogue.None)
    {
        int n = x.Dim(0), inF = kernel.Dim(0), outF = kernel.Dim(1);
        Gemm.Multiply(false, false, n, outF, inF, x.Span, inF, kernel.Span, outF, y.Span, outF,
            false, bias is null ? default : bias.Span, epilogue);
    }

    /// <summary>dKernel and dBias are overwritten; dx (optional) is overwritten.</summary>
    public static void Backward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias)
    {
        int n = x.Dim(0), inF = kernel.Dim(0), outF = kernel.Dim(1);
        if (dKernel is not null) Gemm.Multiply(true, false, inF, outF, n, x.Span, inF, dy.Span, outF, dKernel.Span, outF);
        if (dBias is not null) Conv2DOp.ColumnSums(dy.Span, n, outF, dBias.Span);
        if (dx is not null) Gemm.Multiply(false, true, n, inF, outF, dy.Span, outF, kernel.Span, outF, dx.Span, inF);
    }
}
