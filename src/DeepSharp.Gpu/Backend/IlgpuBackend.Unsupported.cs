using DeepSharp.Backends;
using DeepSharp.Backends.Cpu;

namespace DeepSharp.Gpu;

// The primitives the GPU backend does not have yet (issue 22): each throws one NotSupportedException naming it. The
// optimizer updates listed here take host spans in IBackend; the GPU's RMSprop works on device tensors
// (IlgpuBackend.Training.cs) until IBackend's signatures move to tensors.
internal sealed partial class IlgpuBackend
{
    private static NotSupportedException Missing(string primitive) => new(
        $"IBackend.{primitive}: the GPU backend (DeepSharp.Gpu, preview) does not have this primitive yet (issue 22). " +
        "Run this layer, loss or optimizer on Device.Cpu for now.");

    public void DepthwiseConv2D(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g) => throw Missing(nameof(DepthwiseConv2D));
    public void DepthwiseConv2DBackward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias, in ConvGeometry g, BackendScratch scratch) => throw Missing(nameof(DepthwiseConv2DBackward));
    public void Conv2DTranspose(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g, BackendScratch scratch) => throw Missing(nameof(Conv2DTranspose));
    public void Conv2DTransposeBackward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias, in ConvGeometry g, BackendScratch scratch) => throw Missing(nameof(Conv2DTransposeBackward));
    public void UpSample(Tensor x, Tensor y, int sh, int sw, bool bilinear) => throw Missing(nameof(UpSample));
    public void UpSampleBackward(Tensor dy, Tensor dx, int sh, int sw, bool bilinear) => throw Missing(nameof(UpSampleBackward));
    public void AveragePool(Tensor x, Tensor y, in ConvGeometry g) => throw Missing(nameof(AveragePool));
    public void AveragePoolBackward(Tensor dy, Tensor dx, in ConvGeometry g) => throw Missing(nameof(AveragePoolBackward));
    public void GlobalAveragePool(Tensor x, Tensor y) => throw Missing(nameof(GlobalAveragePool));
    public void GlobalAveragePoolBackward(Tensor dy, Tensor dx) => throw Missing(nameof(GlobalAveragePoolBackward));
    public void GlobalMaxPool(Tensor x, Tensor y, int[] argmax) => throw Missing(nameof(GlobalMaxPool));
    public void GlobalMaxPoolBackward(Tensor dy, int[] argmax, Tensor dx) => throw Missing(nameof(GlobalMaxPoolBackward));
    public void Relu(Tensor x, Tensor y, float maxValue, float negativeSlope, float threshold) => throw Missing(nameof(Relu));
    public void ReluBackward(Tensor x, Tensor dy, Tensor dx, float maxValue, float negativeSlope, float threshold) => throw Missing(nameof(ReluBackward));
    public void Softmax(Tensor x, Tensor y, int axis) => throw Missing(nameof(Softmax));
    public void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, int axis) => throw Missing(nameof(SoftmaxBackward));
    public void Dropout(Tensor x, Tensor y, Tensor mask, float rate, Random random) => throw Missing(nameof(Dropout));
    public void DropoutBackward(Tensor dy, Tensor mask, Tensor dx) => throw Missing(nameof(DropoutBackward));
    public void ChannelDropout(Tensor x, Tensor y, Tensor mask, float rate, Random random) => throw Missing(nameof(ChannelDropout));
    public void ChannelDropoutBackward(Tensor dy, Tensor mask, Tensor dx) => throw Missing(nameof(ChannelDropoutBackward));
    public void Multiply(IReadOnlyList<Tensor> inputs, Tensor y) => throw Missing(nameof(Multiply));
    public void MultiplyBackward(IReadOnlyList<Tensor> inputs, int skip, Tensor dy, Tensor dx) => throw Missing(nameof(MultiplyBackward));
    public void Add(IReadOnlyList<Tensor> inputs, Tensor y) => throw Missing(nameof(Add));
    public void BroadcastBinary(BinaryOp op, Tensor a, Tensor b, Tensor y) => throw Missing(nameof(BroadcastBinary));
    public void SumAxis(Tensor x, Tensor y, int outer, int n, int inner) => throw Missing(nameof(SumAxis));
    public void BroadcastConstant(ConstantOp op, Tensor x, ReadOnlySpan<float> expandedConstant, Tensor y) => throw Missing(nameof(BroadcastConstant));
    public void BroadcastConstantBackward(ConstantOp op, Tensor dy, ReadOnlySpan<float> expandedConstant, Tensor dx) => throw Missing(nameof(BroadcastConstantBackward));
    public void BatchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float momentum, float epsilon, Tensor y, float[] mean, float[] invStd, Worlds.IWorld? world) => throw Missing(nameof(BatchNormTraining));
    public void BatchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float epsilon, Tensor y, float[] mean, float[] invStd) => throw Missing(nameof(BatchNormInference));
    public void BatchNormBackward(Tensor x, Tensor gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta, Worlds.IWorld? world) => throw Missing(nameof(BatchNormBackward));
    public void BatchNormBackwardInference(Tensor x, Tensor gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta) => throw Missing(nameof(BatchNormBackwardInference));
    public void LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, float epsilon, Tensor y, float[] mean, float[] invStd) => throw Missing(nameof(LayerNorm));
    public void LayerNormBackward(Tensor x, Tensor? gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta) => throw Missing(nameof(LayerNormBackward));
    public void ZeroPad(Tensor x, Tensor y, int top, int left) => throw Missing(nameof(ZeroPad));
    public void ZeroPadBackward(Tensor dy, Tensor dx, int top, int left) => throw Missing(nameof(ZeroPadBackward));
    public void Permute(Tensor x, Tensor y, ReadOnlySpan<int> perm) => throw Missing(nameof(Permute));
    public void Concat(IReadOnlyList<Tensor> xs, Tensor y, int axis) => throw Missing(nameof(Concat));
    public void Slice(Tensor x, Tensor y, int axis, int start) => throw Missing(nameof(Slice));
    public void SliceBackward(Tensor dy, Tensor dx, int axis, int start) => throw Missing(nameof(SliceBackward));
    public void Resample(Tensor x, Tensor y, ResampleAxis rows, ResampleAxis cols, float fillValue) => throw Missing(nameof(Resample));
    public void ResampleBackward(Tensor dy, Tensor dx, ResampleAxis rows, ResampleAxis cols) => throw Missing(nameof(ResampleBackward));
    public void AffineTransform(Tensor x, Tensor y, float[] transforms, bool nearest, ImageFill fill, float fillValue) => throw Missing(nameof(AffineTransform));
    public void SgdUpdate(Span<float> w, ReadOnlySpan<float> g, float[]? velocity, float learningRate, float momentum, bool nesterov) => throw Missing(nameof(SgdUpdate));
    public void RmsPropUpdate(Span<float> w, ReadOnlySpan<float> g, float[] average, float[]? velocity, float learningRate, float rho, float epsilon, float momentum) =>
        throw new NotSupportedException("IBackend.RmsPropUpdate: the GPU backend does not update host spans (that would copy each weight to the host and back); " +
            "it updates device tensors with IlgpuBackend.RmsPropUpdate(Tensor w, Tensor g, ...). IBackend\'s optimizer updates move to tensors in issue 22.");
    public void AdamUpdate(Span<float> w, ReadOnlySpan<float> g, float[] m, float[] v, float[]? vHat, float alpha, float oneMinusBeta1, float oneMinusBeta2, float epsilon) => throw Missing(nameof(AdamUpdate));
    public void AdagradUpdate(Span<float> w, ReadOnlySpan<float> g, float[] accumulator, float learningRate, float epsilon) => throw Missing(nameof(AdagradUpdate));
    public void NadamUpdate(Span<float> w, ReadOnlySpan<float> g, float[] m, float[] v, float learningRate, float oneMinusBeta1, float oneMinusBeta2, float c1, float c2, float biasCorrection2, float epsilon) => throw Missing(nameof(NadamUpdate));
    public double SumOfSquares(ReadOnlySpan<float> x) => throw Missing(nameof(SumOfSquares));
    public void Scale(Span<float> x, float factor) => throw Missing(nameof(Scale));
    public void ClipByValue(Span<float> x, float limit) => throw Missing(nameof(ClipByValue));
    public void MovingAverageUpdate(Span<float> average, ReadOnlySpan<float> w, float momentum) => throw Missing(nameof(MovingAverageUpdate));
    public double L1L2Penalty(ReadOnlySpan<float> w, float l1, float l2) => throw Missing(nameof(L1L2Penalty));
    public void L1L2Gradient(ReadOnlySpan<float> w, Span<float> g, float l1, float twoL2) => throw Missing(nameof(L1L2Gradient));
    public double ErrorSum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, bool squared) => throw Missing(nameof(ErrorSum));
}
