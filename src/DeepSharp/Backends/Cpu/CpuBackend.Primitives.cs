namespace DeepSharp.Backends.Cpu;

/// <summary>
/// <see cref="IBackend"/> on the CPU: each primitive forwards to its op (<c>Ops/</c>), which picks the kernel
/// (<c>Compute/</c>). The choices that used to sit in the layers (Conv2D's ReLU and bias fusion, its one-pass
/// first-layer and pooled gradients) are made here.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    string IBackend.Name => "cpu";

    bool IBackend.Fuses(FusionPattern pattern) => pattern switch
    {
        FusionPattern.ConvThenMaxPool => Settings.PooledKernelGradient,
        _ => true,
    };

    void IBackend.Conv2D(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g, bool relu, BackendScratch scratch) =>
        Conv2DOp.Forward(x, kernel, bias, y, g, relu ? Epilogue.Relu : Epilogue.None, ref scratch.Floats);

    void IBackend.Conv2DBackward(Tensor x, Tensor kernel, Tensor y, Tensor dy, bool relu, Tensor? dx, Tensor? dKernel, Tensor? dBias,
        in ConvGeometry g, BackendScratch scratch)
    {
        int f = kernel.Dim(3);
        if (dx is null && dKernel is not null && Conv2DOp.HasFusedKernelGradient(g, f))
        {
            // A first layer on few channels: mask, bias sum and kernel gradient in one pass over dy.
            Conv2DOp.FusedKernelGradient(x.Data, y.Data, dy.Data, relu, dKernel.Span, dBias is null ? default : dBias.Span, g, f);
            return;
        }
        var dz = relu ? ReluMask(y, dy, ref dBias, scratch) : dy;
        Conv2DOp.Backward(x, kernel, dz, dx, dKernel, dBias, g, ref scratch.Floats);
    }

    bool IBackend.TryConv2DBackwardThroughMaxPool(Tensor x, Tensor kernel, in MaxPoolGradient pooled, bool relu, Tensor dKernel, Tensor? dBias, in ConvGeometry g)
    {
        int f = kernel.Dim(3);
        if (!Settings.PooledKernelGradient || !Conv2DOp.HasFusedKernelGradient(g, f) || !pooled.Follows(g, f)) return false;
        Conv2DOp.FusedKernelGradientThroughMaxPool(x.Data, pooled, relu, dKernel.Span, dBias is null ? default : dBias.Span, g, f);
        return true;
    }

    void IBackend.Dense(Tensor x, Tensor kernel, Tensor? bias, Tensor y, bool relu) =>
        DenseOp.Forward(x, kernel, bias, y, relu ? Epilogue.Relu : Epilogue.None);

    void IBackend.DenseBackward(Tensor x, Tensor kernel, Tensor y, Tensor dy, bool relu, Tensor? dx, Tensor? dKernel, Tensor? dBias, BackendScratch scratch)
    {
        DenseOp.Backward(x, kernel, relu ? ReluMask(y, dy, ref dBias, scratch) : dy, dx, dKernel, dBias);
    }

    /// <summary>dz = (y &gt; 0 ? dy : 0) into the scratch tensor, with the bias gradient (column sums of dz) in the same pass when it can (dBias then set to null: done).</summary>
    private static Tensor ReluMask(Tensor y, Tensor dy, ref Tensor? dBias, BackendScratch scratch)
    {
        var dz = Tensor.Ensure(ref scratch.Gradient, dy.Shape);
        int cols = y.Dim(-1);
        bool biasDone = dBias is not null && ActivationOps.ReluBackwardWithColumnSums(y.Data, dy.Data, dz.Data, y.Size / cols, cols, dBias.Span);
        if (biasDone) dBias = null;
        else ActivationOps.ReluBackward(y.Data, dy.Data, dz.Data, y.Size);   // vectorized, on all cores when large
        return dz;
    }

    void IBackend.DepthwiseConv2D(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g) => DepthwiseConvOp.Forward(x, kernel, bias, y, g);
    void IBackend.DepthwiseConv2DBackward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias, in ConvGeometry g, BackendScratch scratch) =>
        DepthwiseConvOp.Backward(x, kernel, dy, dx, dKernel, dBias, g, scratch);
    void IBackend.Conv2DTranspose(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g, BackendScratch scratch) =>
        TransposedConvOp.Forward(x, kernel, bias, y, g, ref scratch.Floats);
    void IBackend.Conv2DTransposeBackward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias, in ConvGeometry g, BackendScratch scratch) =>
        TransposedConvOp.Backward(x, kernel, dy, dx, dKernel, dBias, g, ref scratch.Floats);
    void IBackend.UpSample(Tensor x, Tensor y, int sh, int sw, bool bilinear) => UpSamplingOp.Forward(x, y, sh, sw, bilinear);
    void IBackend.UpSampleBackward(Tensor dy, Tensor dx, int sh, int sw, bool bilinear) => UpSamplingOp.Backward(dy, dx, sh, sw, bilinear);

    bool IBackend.MaxPoolSkipsWinnersInInference => Settings.MaxPoolSkipsWinnersInInference;

    void IBackend.MaxPool(Tensor x, Tensor y, int[]? argmax, in ConvGeometry g) => PoolingOps.MaxForward(x, y, argmax, g);
    void IBackend.MaxPoolBackward(Tensor dy, int[] argmax, Tensor dx, in ConvGeometry g) => PoolingOps.MaxBackward(dy, argmax, dx, g);
    void IBackend.AveragePool(Tensor x, Tensor y, in ConvGeometry g) => PoolingOps.AverageForward(x, y, g);
    void IBackend.AveragePoolBackward(Tensor dy, Tensor dx, in ConvGeometry g) => PoolingOps.AverageBackward(dy, dx, g);
    void IBackend.GlobalAveragePool(Tensor x, Tensor y) => PoolingOps.GlobalAverageForward(x, y);
    void IBackend.GlobalAveragePoolBackward(Tensor dy, Tensor dx) => PoolingOps.GlobalAverageBackward(dy, dx);
    void IBackend.GlobalMaxPool(Tensor x, Tensor y, int[] argmax) => GlobalMaxPoolingOp.Forward(x, y, argmax);
    void IBackend.GlobalMaxPoolBackward(Tensor dy, int[] argmax, Tensor dx) => GlobalMaxPoolingOp.Backward(dy, argmax, dx);

    void IBackend.Activation(ActivationKind kind, Tensor x, Tensor y) => ActivationOps.Forward(kind, x.Span, y.Span, x.Dim(-1));

    void IBackend.ActivationBackward(ActivationKind kind, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        if (kind == ActivationKind.Relu) ActivationOps.ReluBackward(y.Data, dy.Data, dx.Data, y.Size);   // vectorized, on all cores when large
        else ActivationOps.Backward(kind, x.Span, y.Span, dy.Span, dx.Span, y.Dim(-1));
    }

    void IBackend.Relu(Tensor x, Tensor y, float maxValue, float negativeSlope, float threshold) =>
        ReluOps.Forward(x.Span, y.Span, maxValue, negativeSlope, threshold);
    void IBackend.ReluBackward(Tensor x, Tensor dy, Tensor dx, float maxValue, float negativeSlope, float threshold) =>
        ReluOps.Backward(x.Span, dy.Span, dx.Span, maxValue, negativeSlope, threshold);
    void IBackend.Softmax(Tensor x, Tensor y, int axis) => AxisOps.SoftmaxForward(x, y, axis);
    void IBackend.SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, int axis) => AxisOps.SoftmaxBackward(y, dy, dx, axis);
    void IBackend.Dropout(Tensor x, Tensor y, Tensor mask, float rate, Random random) => ShapeOps.DropoutForward(x.Span, y.Span, mask.Span, rate, random);
    void IBackend.DropoutBackward(Tensor dy, Tensor mask, Tensor dx) => ShapeOps.DropoutBackward(dy.Span, mask.Span, dx.Span);
    void IBackend.Add(IReadOnlyList<Tensor> inputs, Tensor y) => ShapeOps.AddForward(inputs, y);
    void IBackend.BroadcastBinary(BinaryOp op, Tensor a, Tensor b, Tensor y) => ElementwiseOps.Broadcast(op, a.Span, b.Span, y.Span);
    void IBackend.SumAxis(Tensor x, Tensor y, int outer, int n, int inner) => ElementwiseOps.SumAxis(x.Span, y.Span, outer, n, inner);
    void IBackend.BroadcastConstant(ConstantOp op, Tensor x, ReadOnlySpan<float> c, Tensor y) => BroadcastOps.Forward(op, x.Span, c, y.Span);
    void IBackend.BroadcastConstantBackward(ConstantOp op, Tensor dy, ReadOnlySpan<float> c, Tensor dx) => BroadcastOps.Backward(op, dy.Span, c, dx.Span);

    void IBackend.BatchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float momentum, float epsilon,
        Tensor y, float[] mean, float[] invStd, Worlds.IWorld? world) =>
        BatchNormOp.ForwardTraining(x, gamma, beta, movingMean, movingVar, momentum, epsilon, y, mean, invStd, world);
    void IBackend.BatchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float epsilon,
        Tensor y, float[] mean, float[] invStd) =>
        BatchNormOp.ForwardInference(x, gamma, beta, movingMean, movingVar, epsilon, y, mean, invStd);
    void IBackend.BatchNormBackward(Tensor x, Tensor gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta,
        Worlds.IWorld? world) => BatchNormOp.Backward(x, gamma, mean, invStd, dy, dx, dGamma, dBeta, world);
    void IBackend.BatchNormBackwardInference(Tensor x, Tensor gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta) =>
        BatchNormOp.BackwardInference(x, gamma, mean, invStd, dy, dx, dGamma, dBeta);

    void IBackend.LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, float epsilon, Tensor y, float[] mean, float[] invStd) =>
        LayerNormOp.Forward(x, gamma, beta, epsilon, y, mean, invStd);
    void IBackend.LayerNormBackward(Tensor x, Tensor? gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta) =>
        LayerNormOp.Backward(x, gamma, mean, invStd, dy, dx, dGamma, dBeta);
    void IBackend.ChannelDropout(Tensor x, Tensor y, Tensor mask, float rate, Random random) => ShapeOps.ChannelDropoutForward(x, y, mask, rate, random);
    void IBackend.ChannelDropoutBackward(Tensor dy, Tensor mask, Tensor dx) => ShapeOps.ChannelDropoutBackward(dy, mask, dx);
    void IBackend.Multiply(IReadOnlyList<Tensor> inputs, Tensor y) => ShapeOps.MultiplyForward(inputs, y);
    void IBackend.MultiplyBackward(IReadOnlyList<Tensor> inputs, int skip, Tensor dy, Tensor dx) => ShapeOps.MultiplyBackward(inputs, skip, dy, dx);

    void IBackend.ZeroPad(Tensor x, Tensor y, int top, int left) => ShapeOps.ZeroPadForward(x, y, top, left);
    void IBackend.ZeroPadBackward(Tensor dy, Tensor dx, int top, int left) => ShapeOps.ZeroPadBackward(dy, dx, top, left);
    void IBackend.Permute(Tensor x, Tensor y, ReadOnlySpan<int> perm) => AxisOps.Permute(x, y, perm);
    void IBackend.Concat(IReadOnlyList<Tensor> xs, Tensor y, int axis) => AxisOps.ConcatForward(xs, y, axis);
    void IBackend.Slice(Tensor x, Tensor y, int axis, int start) => AxisOps.SliceForward(x, y, axis, start);
    void IBackend.SliceBackward(Tensor dy, Tensor dx, int axis, int start) => AxisOps.SliceBackward(dy, dx, axis, start);

    void IBackend.SgdUpdate(Span<float> w, ReadOnlySpan<float> g, float[]? v, float lr, float m, bool nesterov)
    {
        if (v is null || m == 0)
        {
            for (int i = 0; i < w.Length; i++) w[i] -= lr * g[i];
            return;
        }
        for (int i = 0; i < w.Length; i++)
        {
            v[i] = m * v[i] - lr * g[i];
            w[i] += nesterov ? m * v[i] - lr * g[i] : v[i];
        }
    }

    void IBackend.Resample(Tensor x, Tensor y, ResampleAxis rows, ResampleAxis cols, float fillValue) =>
        ImageOps.Resample(x, y, rows, cols, fillValue);

    void IBackend.ResampleBackward(Tensor dy, Tensor dx, ResampleAxis rows, ResampleAxis cols) =>
        ImageOps.ResampleBackward(dy, dx, rows, cols);

    void IBackend.AffineTransform(Tensor x, Tensor y, float[] transforms, bool nearest, ImageFill fill, float fillValue) =>
        ImageOps.AffineTransform(x, y, transforms, nearest, fill, fillValue);

    unsafe void IBackend.RmsPropUpdate(Span<float> w, ReadOnlySpan<float> g, float[] average, float[]? velocity, float lr, float rho, float eps, float momentum)
    {
        fixed (float* pw = w, pg = g, pa = average, pv = momentum > 0 ? velocity : null)
        {
            nint w0 = (nint)pw, g0 = (nint)pg, a0 = (nint)pa, v0 = (nint)pv;
            UpdateLoop.Run(w.Length, (i0, i1) => OptimizerKernels.RMSprop((float*)w0, (float*)g0, (float*)a0, (float*)v0, i0, i1, lr, rho, eps, momentum));
        }
    }

    unsafe void IBackend.AdamUpdate(Span<float> w, ReadOnlySpan<float> g, float[] m, float[] v, float[]? vHat, float alpha, float b1, float b2, float eps)
    {
        fixed (float* pw = w, pg = g, pm = m, pv = v, ph = vHat)
        {
            nint w0 = (nint)pw, g0 = (nint)pg, m0 = (nint)pm, v0 = (nint)pv, h0 = (nint)ph;
            UpdateLoop.Run(w.Length, (i0, i1) => OptimizerKernels.Adam((float*)w0, (float*)g0, (float*)m0, (float*)v0, (float*)h0, i0, i1, alpha, b1, b2, eps));
        }
    }
}
