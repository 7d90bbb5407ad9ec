using DeepSharp.Backends.Cpu;

namespace DeepSharp.Backends;

/// <summary>
/// Every primitive that layers, losses and optimizers need, in the spirit of candle's <c>BackendStorage</c>: a device
/// implements this list and nothing above it knows how. Tensors are NHWC, convolution kernels (kh, kw, in, out), dense
/// kernels (in, out): Keras' layouts. Each method writes into tensors it is given (the caller owns and reuses them, so a
/// training step allocates nothing); "overwritten" outputs are not read first. A backend makes every path choice itself
/// (which algorithm, which width, how many threads, which fusion): callers pass what to compute, never how.
/// Implementations: <see cref="CpuBackend"/> (the fast one) and <see cref="Reference.ReferenceBackend"/> (plain loops,
/// the tests' oracle). Internal until a second device fixes its shape; a new device implements it in its own folder.
/// </summary>
internal interface IBackend
{
    /// <summary>A short name for messages ("cpu", "reference").</summary>
    string Name { get; }

    /// <summary>Whether this backend fuses the named pattern now (the graph executor asks before it arranges the pass).</summary>
    bool Fuses(FusionPattern pattern);

    // ---- Convolution and dense (the linear layers), with their activation epilogue ----

    /// <summary>y = conv(x, kernel) + bias, then ReLU when <paramref name="relu"/>; y overwritten.</summary>
    void Conv2D(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g, bool relu, BackendScratch scratch);

    /// <summary>
    /// The gradients of y = act(conv(x, kernel) + bias) from dy = dLoss/dy, where act is ReLU when
    /// <paramref name="relu"/> (its mask read from y &gt; 0) and the identity otherwise: dx, dKernel and dBias
    /// overwritten, each optional (null: not needed). The backend picks the path (fused mask and bias sums, a one-pass
    /// first-layer gradient, a sparse pass over dz's nonzeros, Winograd, implicit GEMM, im2col + GEMM).
    /// </summary>
    void Conv2DBackward(Tensor x, Tensor kernel, Tensor y, Tensor dy, bool relu, Tensor? dx, Tensor? dKernel, Tensor? dBias,
        in ConvGeometry g, BackendScratch scratch);

    /// <summary>
    /// The named fusion "conv then max pooling": dKernel and dBias (optional) of y = act(conv(x) + b) taken straight from
    /// the following max pooling's unscattered gradient, with no dx. False when the backend does not fuse this
    /// convolution (the caller then runs the pooling's and the convolution's backward passes).
    /// </summary>
    bool TryConv2DBackwardThroughMaxPool(Tensor x, Tensor kernel, in MaxPoolGradient pooled, bool relu, Tensor dKernel, Tensor? dBias, in ConvGeometry g);

    /// <summary>y (N, out) = x (N, in) · kernel + bias, then ReLU when <paramref name="relu"/>; y overwritten.</summary>
    void Dense(Tensor x, Tensor kernel, Tensor? bias, Tensor y, bool relu);

    /// <summary>
    /// Gradients of y = act(x·kernel + bias) (x (N, in), y and dy (N, out)) from dy, act being ReLU when
    /// <paramref name="relu"/> and the identity otherwise: dx, dKernel, dBias overwritten, each optional.
    /// </summary>
    void DenseBackward(Tensor x, Tensor kernel, Tensor y, Tensor dy, bool relu, Tensor? dx, Tensor? dKernel, Tensor? dBias, BackendScratch scratch);

    // ---- Depthwise and transposed convolution (Keras' DepthwiseConv2D, SeparableConv2D, Conv2DTranspose) ----

    /// <summary>
    /// Depthwise convolution: y[n, oy, ox, c·M + m] = Σ x[n, oy·s+ky-pad, ox·s+kx-pad, c] · kernel[ky, kx, c, m] + bias[c·M + m]
    /// (kernel (KH, KW, C, M), M the depth multiplier; zero outside x); y (N, outH, outW, C·M) overwritten.
    /// </summary>
    void DepthwiseConv2D(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g);

    /// <summary>Gradients of <see cref="DepthwiseConv2D"/> from dy: dx, dKernel, dBias overwritten, each optional.</summary>
    void DepthwiseConv2DBackward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias, in ConvGeometry g, BackendScratch scratch);

    /// <summary>
    /// Transposed convolution, the adjoint of the convolution of geometry <paramref name="g"/> (whose input has y's shape
    /// (N, g.InH, g.InW, F) and whose output has x's (N, g.OutH, g.OutW, C)): y[n, oy·s-pad+ky, ox·s-pad+kx, f] +=
    /// x[n, oy, ox, c] · kernel[ky, kx, f, c], plus bias[f]; kernel (KH, KW, F, C) as Keras stores it; y overwritten.
    /// </summary>
    void Conv2DTranspose(Tensor x, Tensor kernel, Tensor? bias, Tensor y, in ConvGeometry g, BackendScratch scratch);

    /// <summary>Gradients of <see cref="Conv2DTranspose"/> from dy (y's shape): dx, dKernel, dBias overwritten, each optional.</summary>
    void Conv2DTransposeBackward(Tensor x, Tensor kernel, Tensor dy, Tensor? dx, Tensor? dKernel, Tensor? dBias, in ConvGeometry g, BackendScratch scratch);

    /// <summary>
    /// y (N, H·sh, W·sw, C) = x (N, H, W, C) enlarged: nearest repeats each pixel, bilinear interpolates with half-pixel
    /// centers (source = (o + 0.5)/s - 0.5, clamped to the image: TF's and Keras 3's resize); y overwritten.
    /// </summary>
    void UpSample(Tensor x, Tensor y, int sh, int sw, bool bilinear);

    /// <summary>dx (overwritten) of <see cref="UpSample"/> from dy.</summary>
    void UpSampleBackward(Tensor dy, Tensor dx, int sh, int sw, bool bilinear);

    // ---- Pooling ----

    /// <summary>
    /// Whether a max pooling in inference should skip recording its winners (a backward pass after it then recomputes
    /// them through <see cref="MaxPool"/> with an argmax).
    /// </summary>
    bool MaxPoolSkipsWinnersInInference { get; }

    /// <summary>Max pooling; <paramref name="argmax"/> (optional) receives each output's winner as a flat index into x.</summary>
    void MaxPool(Tensor x, Tensor y, int[]? argmax, in ConvGeometry g);

    /// <summary>dx (overwritten) = dy scattered to the winners.</summary>
    void MaxPoolBackward(Tensor dy, int[] argmax, Tensor dx, in ConvGeometry g);

    /// <summary>Average pooling (padding excluded from the count, as Keras).</summary>
    void AveragePool(Tensor x, Tensor y, in ConvGeometry g);

    /// <summary>dx (overwritten) from dy of an average pooling.</summary>
    void AveragePoolBackward(Tensor dy, Tensor dx, in ConvGeometry g);

    /// <summary>y (N, C) = the mean of x (N, H, W, C) over H and W.</summary>
    void GlobalAveragePool(Tensor x, Tensor y);

    /// <summary>dx (overwritten) from dy of a global average pooling.</summary>
    void GlobalAveragePoolBackward(Tensor dy, Tensor dx);

    /// <summary>y (N, C) = the max of x (N, H, W, C) over H and W; argmax its winners.</summary>
    void GlobalMaxPool(Tensor x, Tensor y, int[] argmax);

    /// <summary>dx (overwritten) from dy of a global max pooling.</summary>
    void GlobalMaxPoolBackward(Tensor dy, int[] argmax, Tensor dx);

    // ---- Activations and elementwise ----

    /// <summary>y = act(x) (x and y may be the same tensor); softmax over the last axis.</summary>
    void Activation(ActivationKind kind, Tensor x, Tensor y);

    /// <summary>
    /// dx (overwritten) = act'(x) ⊙ dy (softmax: the Jacobian over the last axis), from the activation's input x and output
    /// y: relu, sigmoid, tanh and softmax read y only (x may then be y), the others (gelu, silu, elu, ...) read x.
    /// dy and dx may be the same tensor.
    /// </summary>
    void ActivationBackward(ActivationKind kind, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /// <summary>Keras' ReLU layer: y = min(max_value, x ≥ threshold ? x : negative_slope·(x - threshold)).</summary>
    void Relu(Tensor x, Tensor y, float maxValue, float negativeSlope, float threshold);

    /// <summary>dx (overwritten) of <see cref="Relu"/> from its input x.</summary>
    void ReluBackward(Tensor x, Tensor dy, Tensor dx, float maxValue, float negativeSlope, float threshold);

    /// <summary>Softmax over any axis.</summary>
    void Softmax(Tensor x, Tensor y, int axis);

    /// <summary>dx (overwritten) of a softmax over <paramref name="axis"/> from its output y.</summary>
    void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, int axis);

    /// <summary>Inverted dropout: mask[i] = 0 or 1/(1-rate) drawn from <paramref name="random"/>; y = x ⊙ mask.</summary>
    void Dropout(Tensor x, Tensor y, Tensor mask, float rate, Random random);

    /// <summary>dx (overwritten) = dy ⊙ mask.</summary>
    void DropoutBackward(Tensor dy, Tensor mask, Tensor dx);

    /// <summary>
    /// Channel dropout (Keras' SpatialDropout2D): mask (N, C) = 0 or 1/(1-rate) drawn from <paramref name="random"/> in
    /// (n, c) order; y[n, ..., c] = x[n, ..., c] · mask[n, c] over the middle axes of x (N, ..., C).
    /// </summary>
    void ChannelDropout(Tensor x, Tensor y, Tensor mask, float rate, Random random);

    /// <summary>dx (overwritten) = dy ⊙ mask broadcast over the middle axes.</summary>
    void ChannelDropoutBackward(Tensor dy, Tensor mask, Tensor dx);

    /// <summary>y = Π inputs (same shapes).</summary>
    void Multiply(IReadOnlyList<Tensor> inputs, Tensor y);

    /// <summary>dx (overwritten) = dy ⊙ Π_{j≠skip} inputs[j]: the gradient of <see cref="Multiply"/> for input <paramref name="skip"/>.</summary>
    void MultiplyBackward(IReadOnlyList<Tensor> inputs, int skip, Tensor dy, Tensor dx);

    /// <summary>y = Σ inputs (same shapes).</summary>
    void Add(IReadOnlyList<Tensor> inputs, Tensor y);

    /// <summary>
    /// y = a ∘ b with b repeated over a's leading axes (b.Size divides a.Size: y[i] = a[i] ∘ b[i mod b.Size]; a per-channel
    /// scale or bias, a scalar, or a tensor of a's shape); y (a's shape) overwritten; a and y may be the same tensor.
    /// </summary>
    void BroadcastBinary(BinaryOp op, Tensor a, Tensor b, Tensor y);

    /// <summary>y (outer, inner) = Σ over the middle axis of x viewed as (outer, n, inner); y overwritten.</summary>
    void SumAxis(Tensor x, Tensor y, int outer, int n, int inner);

    /// <summary>y = x ∘ c with c broadcast over the batch (<see cref="ConstantOp"/>).</summary>
    void BroadcastConstant(ConstantOp op, Tensor x, ReadOnlySpan<float> expandedConstant, Tensor y);

    /// <summary>dx (overwritten) of <see cref="BroadcastConstant"/>.</summary>
    void BroadcastConstantBackward(ConstantOp op, Tensor dy, ReadOnlySpan<float> expandedConstant, Tensor dx);

    // ---- Normalization ----

    /// <summary>
    /// Batch normalization in training mode over the last axis: y overwritten, mean and invStd (per channel) saved for the
    /// backward, moving statistics updated (synchronized over <paramref name="world"/>'s ranks when it has several).
    /// </summary>
    void BatchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float momentum, float epsilon,
        Tensor y, float[] mean, float[] invStd, Worlds.IWorld? world);

    /// <summary>Batch normalization with the moving statistics (mean and invStd receive what it used).</summary>
    void BatchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float epsilon,
        Tensor y, float[] mean, float[] invStd);

    /// <summary>Training-mode backward: dx, dGamma, dBeta overwritten, each optional.</summary>
    void BatchNormBackward(Tensor x, Tensor gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta,
        Worlds.IWorld? world);

    /// <summary>Inference-mode backward (the statistics are constants): dx, dGamma, dBeta overwritten, each optional.</summary>
    void BatchNormBackwardInference(Tensor x, Tensor gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta);

    /// <summary>
    /// Layer normalization over the last <c>D</c> values of each row (D = x.Size / rows, rows = mean.Length):
    /// y = (x - mean)/√(var + ε) · gamma + beta (biased variance; gamma and beta of D values, each optional: 1 and 0);
    /// y overwritten, each row's mean and 1/√(var + ε) saved for the backward.
    /// </summary>
    void LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, float epsilon, Tensor y, float[] mean, float[] invStd);

    /// <summary>Gradients of <see cref="LayerNorm"/> from dy: dx, dGamma, dBeta overwritten, each optional.</summary>
    void LayerNormBackward(Tensor x, Tensor? gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta);

    // ---- Shape ----

    /// <summary>y = x padded with zeros: <paramref name="top"/> rows and <paramref name="left"/> columns before (the rest after).</summary>
    void ZeroPad(Tensor x, Tensor y, int top, int left);

    /// <summary>dx (overwritten) = the inner part of dy.</summary>
    void ZeroPadBackward(Tensor dy, Tensor dx, int top, int left);

    /// <summary>y = x with its axes permuted (perm includes the batch axis).</summary>
    void Permute(Tensor x, Tensor y, ReadOnlySpan<int> perm);

    /// <summary>y = the concatenation of xs along <paramref name="axis"/>.</summary>
    void Concat(IReadOnlyList<Tensor> xs, Tensor y, int axis);

    /// <summary>y = x[..., start : start + y's size along axis, ...].</summary>
    void Slice(Tensor x, Tensor y, int axis, int start);

    /// <summary>dx (overwritten) of <see cref="Slice"/>: dy in its place, zeros elsewhere.</summary>
    void SliceBackward(Tensor dy, Tensor dx, int axis, int start);

    // ---- Images (preprocessing layers) ----

    /// <summary>
    /// Separable resampling of x (N, H, W, C) into y (N, rows.OutSize, cols.OutSize, C), overwritten:
    /// y[n, i, j, c] = Σ_a Σ_b rows.W[i, a] · cols.W[j, b] · x[n, rows.Start[i] + a, cols.Start[j] + b, c], an index outside
    /// the image reading <paramref name="fillValue"/> (crops, pads and Keras' resize kernels: <see cref="ResampleAxis"/>).
    /// </summary>
    void Resample(Tensor x, Tensor y, ResampleAxis rows, ResampleAxis cols, float fillValue);

    /// <summary>dx (overwritten) of <see cref="Resample"/>: each dy scattered back through the same weights (the fill gets none).</summary>
    void ResampleBackward(Tensor dy, Tensor dx, ResampleAxis rows, ResampleAxis cols);

    /// <summary>
    /// Keras 3's <c>ops.image.affine_transform</c> (numpy backend): output pixel (row r, col q) of image n reads x at row
    /// b0·q + b1·r + b2, column a0·q + a1·r + a2, with <paramref name="transforms"/> (N × 6) = a0 a1 a2 b0 b1 b2, by
    /// bilinear interpolation (or nearest: the closer pixel, halves rounded up) of the image extended by <paramref name="fill"/>;
    /// y (same shape as x) overwritten.
    /// </summary>
    void AffineTransform(Tensor x, Tensor y, float[] transforms, bool nearest, ImageFill fill, float fillValue);

    // ---- Optimizer update steps (elementwise over one weight; slots are the optimizer's state) ----

    /// <summary>Keras' SGD: w -= lr·g; with momentum m: v = m·v - lr·g, w += v (Nesterov: w += m·v - lr·g).</summary>
    void SgdUpdate(Span<float> w, ReadOnlySpan<float> g, float[]? velocity, float learningRate, float momentum, bool nesterov);

    /// <summary>Keras' RMSprop (ε inside the root): a = ρa + (1-ρ)g²; w -= lr·g/√(a+ε), or through the momentum slot v.</summary>
    void RmsPropUpdate(Span<float> w, ReadOnlySpan<float> g, float[] average, float[]? velocity, float learningRate, float rho, float epsilon, float momentum);

    /// <summary>
    /// Keras' Adam with the bias corrections folded into <paramref name="alpha"/>: m += (g-m)·b1, v += (g²-v)·b2, w -= α·m/(√v+ε);
    /// with AMSGrad (<paramref name="vHat"/> not null) v̂ = max(v̂, v) replaces v in the denominator.
    /// </summary>
    void AdamUpdate(Span<float> w, ReadOnlySpan<float> g, float[] m, float[] v, float[]? vHat, float alpha, float oneMinusBeta1, float oneMinusBeta2, float epsilon);

    /// <summary>Keras' Adagrad (ε inside the root): a += g²; w -= lr·g/√(a+ε).</summary>
    void AdagradUpdate(Span<float> w, ReadOnlySpan<float> g, float[] accumulator, float learningRate, float epsilon);

    /// <summary>
    /// Keras' Nadam: m += (g-m)·b1, v += (g²-v)·b2; w -= lr·(c1·m + c2·g)/(√(v/bc2)+ε), where the caller folds the momentum
    /// schedule into c1 = u(t+1)/(1-Πu(t+1)) and c2 = (1-u(t))/(1-Πu(t)), and bc2 = 1-β₂ᵗ.
    /// </summary>
    void NadamUpdate(Span<float> w, ReadOnlySpan<float> g, float[] m, float[] v, float learningRate, float oneMinusBeta1, float oneMinusBeta2,
        float c1, float c2, float biasCorrection2, float epsilon);

    /// <summary>Σ x² summed in double (a gradient's squared L2 norm, for clipnorm and global_clipnorm).</summary>
    double SumOfSquares(ReadOnlySpan<float> x);

    /// <summary>x *= factor in place (gradient clipping by norm, decoupled weight decay).</summary>
    void Scale(Span<float> x, float factor);

    /// <summary>x = clip(x, -limit, limit) in place (Keras' clipvalue).</summary>
    void ClipByValue(Span<float> x, float limit);

    /// <summary>Keras' optimizer EMA: average = μ·average + (1-μ)·w.</summary>
    void MovingAverageUpdate(Span<float> average, ReadOnlySpan<float> w, float momentum);

    // ---- Weight regularizers ----

    /// <summary>Keras' L1L2 penalty l1·Σ|w| + l2·Σw², summed in double.</summary>
    double L1L2Penalty(ReadOnlySpan<float> w, float l1, float l2);

    /// <summary>Its gradient added into g: g += l1·sign(w) + twoL2·w (sign(0) = 0; the caller folds in any scale).</summary>
    void L1L2Gradient(ReadOnlySpan<float> w, Span<float> g, float l1, float twoL2);

    // ---- Metrics ----

    /// <summary>Σ|p - t| (or Σ(p - t)² when <paramref name="squared"/>) summed in double: the mean absolute and mean squared error metrics.</summary>
    double ErrorSum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, bool squared);
}
