using System.Runtime.CompilerServices;
using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;
using DeepSharp.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DeepSharp.Gpu;

/// <summary>
/// The GPU backend (preview, issue 22): <see cref="IBackend"/>'s primitives as ILGPU kernels on one <see cref="GpuDevice"/>'s
/// tensors, queued on the device's stream with no host round trip (the host waits only when it copies a result back).
/// Implemented: what the chapter's MNIST convnet needs for a training step (convolution and dense forward and backward with
/// their ReLU epilogue, max pooling, relu/sigmoid/softmax and their gradients, the fused softmax + crossentropy
/// (<see cref="SoftmaxCrossentropy"/>) and RMSprop on device tensors (<see cref="RmsPropUpdate(Tensor, Tensor, Tensor, Tensor?, float, float, float, float)"/>).
/// Every other primitive throws one <see cref="NotSupportedException"/> naming it (IlgpuBackend.Unsupported.cs).
/// </summary>
internal sealed partial class IlgpuBackend : IBackend
{
    private readonly GpuDevice _device;
    private readonly Accelerator _accelerator;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _noFloats;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _noInts;
    private readonly ConditionalWeakTable<int[], MemoryBuffer1D<int, Stride1D.Dense>> _winners = new();

    private readonly Action<KernelConfig, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
        ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, GemmArgs> _gemm;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
        ArrayView1D<float, Stride1D.Dense>, ConvShape, int> _inputGradient;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, int, int> _columnSum;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>> _reluMask;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
        ArrayView1D<int, Stride1D.Dense>, ConvShape, int> _maxPool;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<int, Stride1D.Dense>,
        ArrayView1D<float, Stride1D.Dense>, ConvShape> _maxPoolBackward;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, int> _activation;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
        ArrayView1D<float, Stride1D.Dense>, int> _activationBackward;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, int> _softmaxRows;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
        ArrayView1D<float, Stride1D.Dense>, int> _softmaxBackwardRows;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
        ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, int, int> _softmaxCrossentropy;
    private readonly Action<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
        ArrayView1D<float, Stride1D.Dense>, ElementwiseKernels.RmsPropArgs> _rmsProp;

    public IlgpuBackend(GpuDevice device)
    {
        _device = device;
        var acc = _accelerator = device.Accelerator;
        _noFloats = acc.Allocate1D<float>(1);
        _noInts = acc.Allocate1D<int>(1);
        _gemm = acc.LoadStreamKernel<ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
            ArrayView1D<float, Stride1D.Dense>, GemmArgs>(GemmKernel.Run);
        _inputGradient = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
            ArrayView1D<float, Stride1D.Dense>, ConvShape, int>(ConvKernels.InputGradient);
        _columnSum = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, int, int>(ConvKernels.ColumnSum);
        _reluMask = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
            ArrayView1D<float, Stride1D.Dense>>(ConvKernels.ReluMask);
        _maxPool = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
            ArrayView1D<int, Stride1D.Dense>, ConvShape, int>(ConvKernels.MaxPool);
        _maxPoolBackward = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<int, Stride1D.Dense>,
            ArrayView1D<float, Stride1D.Dense>, ConvShape>(ConvKernels.MaxPoolBackward);
        _activation = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, int>(ElementwiseKernels.Activation);
        _activationBackward = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
            ArrayView1D<float, Stride1D.Dense>, int>(ElementwiseKernels.ActivationBackward);
        _softmaxRows = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, int>(ElementwiseKernels.SoftmaxRows);
        _softmaxBackwardRows = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
            ArrayView1D<float, Stride1D.Dense>, int>(ElementwiseKernels.SoftmaxBackwardRows);
        _softmaxCrossentropy = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
            ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, int, int>(ElementwiseKernels.SoftmaxCrossentropyRows);
        _rmsProp = acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>,
            ArrayView1D<float, Stride1D.Dense>, ArrayView1D<float, Stride1D.Dense>, ElementwiseKernels.RmsPropArgs>(ElementwiseKernels.RmsProp);
    }

    public string Name => _device.IsCuda ? "gpu" : "gpu-on-cpu";

    /// <summary>No cross-layer fusion yet: the graph executor runs the plain passes.</summary>
    public bool Fuses(FusionPattern pattern) => false;

    /// <summary>Waits until every kernel queued so far has finished (the host copies wait by themselves).</summary>
    public void Synchronize() => _accelerator.Synchronize();

    /// <summary>The device view of a tensor on this backend's device, or one clear error naming the argument.</summary>
    private ArrayView1D<float, Stride1D.Dense> View(Tensor t, string argument, string primitive)
    {
        if (t.Storage is GpuStorage s && ReferenceEquals(s.Device, _device)) return s.View;
        throw new ArgumentException(
            $"IlgpuBackend.{primitive}: '{argument}' is a tensor on device '{t.Device.Name}', but this backend computes on '{_device.Name}'. " +
            $"Move it there first with tensor.To(device).", argument);
    }

    private ArrayView1D<float, Stride1D.Dense> ViewOrNone(Tensor? t, string argument, string primitive) =>
        t is null ? _noFloats.View : View(t, argument, primitive);

    /// <summary>A device tensor of at least <paramref name="size"/> values kept in the layer's scratch (allocated once, then reused).</summary>
    private ArrayView1D<float, Stride1D.Dense> Scratch(BackendScratch scratch, int size)
    {
        if (scratch.Gradient is not { } t || t.Storage is not GpuStorage s || !ReferenceEquals(s.Device, _device) || s.Length < size)
            scratch.Gradient = t = new Tensor(_device, Math.Max(size, 1));
        return ((GpuStorage)t.Storage).View;
    }

    private static KernelConfig TilesOf(int m, int n) =>
        new(new Index2D((n + GemmKernel.Tile - 1) / GemmKernel.Tile, (m + GemmKernel.Tile - 1) / GemmKernel.Tile),
            new Index2D(GemmKernel.Tile, GemmKernel.Tile));

    /// <summary>C = op(A)·op(B) (+ bias, ReLU) through the tiled kernel; nothing queued for an empty C.</summary>
    private void Gemm(ArrayView1D<float, Stride1D.Dense> a, ArrayView1D<float, Stride1D.Dense> b, ArrayView1D<float, Stride1D.Dense> c,
        ArrayView1D<float, Stride1D.Dense>? bias, GemmArgs p)
    {
        if (p.M == 0 || p.N == 0) return;
        p.HasBias = bias is null ? 0 : 1;
        _gemm(TilesOf(p.M, p.N), a, b, c, bias ?? _noFloats.View, p);
    }

    private MemoryBuffer1D<int, Stride1D.Dense> Winners(int[] argmax) =>
        _winners.GetValue(argmax, a => _accelerator.Allocate1D<int>(Math.Max(a.Length, 1)));
}
