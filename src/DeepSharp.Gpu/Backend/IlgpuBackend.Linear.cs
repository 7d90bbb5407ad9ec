using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Gpu.Kernels;

namespace DeepSharp.Gpu;

// Convolution and dense, forward and backward: the tiled GEMM over an implicit im2col (no patch matrix in memory), the
// input gradient as a gather, the bias gradient as column sums, the ReLU mask into the layer's scratch.
internal sealed partial class IlgpuBackend
{
    public void Conv2D(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g, bool relu, BackendScratch scratch)
    {
        var shape = ConvShape.From(g);
        int filters = kernel.Dim(-1);
        Gemm(View(x, nameof(x), nameof(Conv2D)), View(kernel, nameof(kernel), nameof(Conv2D)), View(y, nameof(y), nameof(Conv2D)),
            bias is null ? null : View(bias, nameof(bias), nameof(Conv2D)),
            new GemmArgs { M = g.OutPixels, N = filters, K = g.PatchSize, AMode = GemmA.Im2Col, Relu = relu ? 1 : 0, Conv = shape });
    }

    public void Conv2DBackward(Tensor x, Tensor kernel, Tensor y, Tensor dy, bool relu, Tensor? dx, Tensor? dKernel, Tensor? dBias,
        in ConvGeometry g, BackendScratch scratch)
    {
        const string op = nameof(Conv2DBackward);
        var shape = ConvShape.From(g);
        int filters = kernel.Dim(-1), rows = g.OutPixels;
        var dz = MaskedGradient(y, dy, relu, scratch, rows * filters, op);
        if (dKernel is not null)
            Gemm(View(x, nameof(x), op), dz, View(dKernel, nameof(dKernel), op), null,
                new GemmArgs { M = g.PatchSize, N = filters, K = rows, AMode = GemmA.Im2ColTransposed, Conv = shape });
        if (dBias is not null && filters > 0)
            _columnSum(filters, dz, View(dBias, nameof(dBias), op), rows, filters);
        if (dx is not null && g.Batch * g.InH * g.InW * g.InC > 0)
            _inputGradient(g.Batch * g.InH * g.InW * g.InC, dz, View(kernel, nameof(kernel), op), View(dx, nameof(dx), op), shape, filters);
    }

    /// <summary>Not fused on the GPU yet: the caller runs the pooling's and the convolution's backward passes.</summary>
    public bool TryConv2DBackwardThroughMaxPool(Tensor x, Tensor kernel, in MaxPoolGradient pooled, bool relu, Tensor dKernel, Tensor? dBias, in ConvGeometry g) => false;

    public void Dense(Tensor x, Tensor kernel, Tensor? bias, Tensor y, bool relu)
    {
        int batch = x.Dim(0), inputs = kernel.Dim(0), outputs = kernel.Dim(1);
        Gemm(View(x, nameof(x), nameof(Dense)), View(kernel, nameof(kernel), nameof(Dense)), View(y, nameof(y), nameof(Dense)),
            bias is null ? null : View(bias, nameof(bias), nameof(Dense)),
            new GemmArgs { M = batch, N = outputs, K = inputs, AMode = GemmA.Plain, Relu = relu ? 1 : 0 });
    }

    public void DenseBackward(Tensor x, Tensor kernel, Tensor y, Tensor dy, bool relu, Tensor? dx, Tensor? dKernel, Tensor? dBias, BackendScratch scratch)
    {
        const string op = nameof(DenseBackward);
        int batch = x.Dim(0), inputs = kernel.Dim(0), outputs = kernel.Dim(1);
        var dz = MaskedGradient(y, dy, relu, scratch, batch * outputs, op);
        // dx (N, in) = dz (N, out) · kernelᵀ; dKernel (in, out) = xᵀ · dz; dBias = Σ_rows dz.
        if (dx is not null)
            Gemm(dz, View(kernel, nameof(kernel), op), View(dx, nameof(dx), op), null,
                new GemmArgs { M = batch, N = inputs, K = outputs, AMode = GemmA.Plain, BTransposed = 1 });
        if (dKernel is not null)
            Gemm(View(x, nameof(x), op), dz, View(dKernel, nameof(dKernel), op), null,
                new GemmArgs { M = inputs, N = outputs, K = batch, AMode = GemmA.Transposed });
        if (dBias is not null && outputs > 0)
            _columnSum(outputs, dz, View(dBias, nameof(dBias), op), batch, outputs);
    }

    /// <summary>dz = dy, or dy masked by y &gt; 0 into the layer's scratch when the ReLU epilogue ran.</summary>
    private ILGPU.Runtime.ArrayView1D<float, ILGPU.Stride1D.Dense> MaskedGradient(Tensor y, Tensor dy, bool relu, BackendScratch scratch, int size, string op)
    {
        var dyView = View(dy, nameof(dy), op);
        if (!relu) return dyView;
        var dz = Scratch(scratch, size);
        if (size > 0) _reluMask(size, View(y, nameof(y), op), dyView, dz);
        return dz;
    }
}
