using DeepSharp.Backends.Cpu;
using DeepSharp.Gpu.Kernels;

namespace DeepSharp.Gpu;

// Max pooling and the activations. The winners of a max pooling stay on the device: IBackend hands the backend a host
// int[] for them, which this backend uses only as the key of a device buffer of the same length (its contents are not
// written; IBackend takes a device index buffer in issue 22).
internal sealed partial class IlgpuBackend
{
    public bool MaxPoolSkipsWinnersInInference => false;

    public void MaxPool(Tensor x, Tensor y, int[]? argmax, in ConvGeometry g)
    {
        int outputs = g.OutPixels * g.InC;
        if (outputs == 0) return;
        if (argmax is not null && argmax.Length < outputs)
            throw new ArgumentException($"IlgpuBackend.MaxPool: argmax holds {argmax.Length} winners but the pooling has {outputs} outputs.", nameof(argmax));
        var winners = argmax is null ? _noInts.View : Winners(argmax).View;
        _maxPool(outputs, View(x, nameof(x), nameof(MaxPool)), View(y, nameof(y), nameof(MaxPool)), winners, ConvShape.From(g), argmax is null ? 0 : 1);
    }

    public void MaxPoolBackward(Tensor dy, int[] argmax, Tensor dx, in ConvGeometry g)
    {
        if (!_winners.TryGetValue(argmax, out var winners))
            throw new InvalidOperationException(
                "IlgpuBackend.MaxPoolBackward: this argmax array was never filled by IlgpuBackend.MaxPool on this device (the GPU keeps the winners on the device, " +
                "keyed by the array). Run MaxPool with the same argmax array first.");
        int inputs = g.Batch * g.InH * g.InW * g.InC;
        if (inputs == 0) return;
        _maxPoolBackward(inputs, View(dy, nameof(dy), nameof(MaxPoolBackward)), winners.View, View(dx, nameof(dx), nameof(MaxPoolBackward)), ConvShape.From(g));
    }

    public void Activation(ActivationKind kind, Tensor x, Tensor y)
    {
        var xv = View(x, nameof(x), nameof(Activation));
        var yv = View(y, nameof(y), nameof(Activation));
        if (x.Size == 0) return;
        if (kind == ActivationKind.Softmax)
        {
            int width = x.Dim(-1);
            _softmaxRows(x.Size / width, xv, yv, width);
        }
        else _activation(x.Size, xv, yv, ElementwiseKind(kind, nameof(Activation)));
    }

    public void ActivationBackward(ActivationKind kind, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        const string op = nameof(ActivationBackward);
        var yv = View(y, nameof(y), op);
        var dyv = View(dy, nameof(dy), op);
        var dxv = View(dx, nameof(dx), op);
        if (y.Size == 0) return;
        if (kind == ActivationKind.Softmax)
        {
            int width = y.Dim(-1);
            _softmaxBackwardRows(y.Size / width, yv, dyv, dxv, width);
        }
        else _activationBackward(y.Size, yv, dyv, dxv, ElementwiseKind(kind, op));
    }

    private static int ElementwiseKind(ActivationKind kind, string op) => kind switch
    {
        ActivationKind.Linear => ElementwiseKernels.Linear,
        ActivationKind.Relu => ElementwiseKernels.Relu,
        ActivationKind.Sigmoid => ElementwiseKernels.Sigmoid,
        _ => throw new NotSupportedException(
            $"IlgpuBackend.{op}: the GPU backend does not have the '{kind}' activation yet (it has linear, relu, sigmoid and softmax); train this model on Device.Cpu."),
    };
}
