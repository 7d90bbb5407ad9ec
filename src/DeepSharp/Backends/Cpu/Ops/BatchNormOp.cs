namespace DeepSharp.Backends.Cpu;

/// <summary>
/// Batch normalization over the last axis (channels), Keras' semantics:
/// training:  μ, σ² = mean and (biased) variance over all other axes;
///            y = γ (x - μ) / sqrt(σ² + ε) + β;  moving = moving·momentum + batch·(1 - momentum)
/// inference: y = γ (x - moving_mean) / sqrt(moving_var + ε) + β
/// Backward (training), with x̂ = (x - μ)/σ and m values per channel:
///   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/σ · (dy - dβ/m - x̂·dγ/m)
/// Backward (inference: the moving statistics are constants), x̂ = (x - moving_mean)/sqrt(moving_var + ε):
///   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ/σ · dy
/// </summary>
internal static class BatchNormOp
{
    /// <summary>Channel counts up to this keep their per-channel scratch on the stack (2 × 8 KB at most).</summary>
    private const int MaxStackChannels = 1024;

    /// <summary>
    /// Training-mode forward. Writes y and the per-channel mean and inverse std (saved for backward),
    /// and updates the moving statistics.
    /// </summary>
    /// <remarks>
    /// With a <paramref name="world"/> of several ranks (synchronized BatchNormalization) the statistics are those of
    /// the whole global batch: the per-channel sums and counts are summed over the ranks (two small all-reduces).
    /// </remarks>
    public static void ForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar,
        float momentum, float epsilon, Tensor y, float[] mean, float[] invStd, Worlds.IWorld? world = null)
    {
        int c = x.Dim(-1), m = x.Size / c;
        if (world is { Size: > 1 }) { ForwardTrainingSynchronized(x, gamma, beta, movingMean, movingVar, momentum, epsilon, y, mean, invStd, world); return; }
        // Per-channel sums on the stack for the usual channel counts: no allocation per training step.
        Span<double> sum = c <= MaxStackChannels ? stackalloc double[c] : new double[c];
        Span<double> sumSq = c <= MaxStackChannels ? stackalloc double[c] : new double[c];
        sum.Clear();
        sumSq.Clear();
        var xs = x.Data;
        for (int i = 0; i < m; i++)
        {
            int o = i * c;
            for (int j = 0; j < c; j++) sum[j] += xs[o + j];
        }
        for (int j = 0; j < c; j++) mean[j] = (float)(sum[j] / m);
        for (int i = 0; i < m; i++)
        {
            int o = i * c;
            for (int j = 0; j < c; j++) { double d = xs[o + j] - mean[j]; sumSq[j] += d * d; }
        }
        for (int j = 0; j < c; j++)
        {
            float variance = (float)(sumSq[j] / m);
            invStd[j] = 1f / MathF.Sqrt(variance + epsilon);
            movingMean.Data[j] = movingMean.Data[j] * momentum + mean[j] * (1 - momentum);
            movingVar.Data[j] = movingVar.Data[j] * momentum + variance * (1 - momentum);
        }
        Normalize(x, gamma, beta, mean, invStd, y);
    }

    [ThreadStatic] private static double[]? _synchronizedScratch;

    /// <summary>A zeroed per-thread buffer of at least <paramref name="length"/> doubles (no allocation per step).</summary>
    private static double[] SynchronizedScratch(int length)
    {
        if (_synchronizedScratch is null || _synchronizedScratch.Length < length) _synchronizedScratch = new double[length];
        Array.Clear(_synchronizedScratch, 0, length);
        return _synchronizedScratch;
    }

    private static void ForwardTrainingSynchronized(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar,
        float momentum, float epsilon, Tensor y, float[] mean, float[] invStd, Worlds.IWorld world)
    {
        int c = x.Dim(-1), m = x.Size / c;
        var sums = SynchronizedScratch(c + 1);   // per-channel sums, then the count
        var xs = x.Data;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < c; j++) sums[j] += xs[i * c + j];
        sums[c] = m;
        world.AllReduceSum(sums.AsSpan(0, c + 1));
        double total = sums[c];
        for (int j = 0; j < c; j++) mean[j] = (float)(sums[j] / total);
        Array.Clear(sums, 0, c);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < c; j++) { double d = xs[i * c + j] - mean[j]; sums[j] += d * d; }
        world.AllReduceSum(sums.AsSpan(0, c));
        for (int j = 0; j < c; j++)
        {
            float variance = (float)(sums[j] / total);
            invStd[j] = 1f / MathF.Sqrt(variance + epsilon);
            movingMean.Data[j] = movingMean.Data[j] * momentum + mean[j] * (1 - momentum);
            movingVar.Data[j] = movingVar.Data[j] * momentum + variance * (1 - momentum);
        }
        Normalize(x, gamma, beta, mean, invStd, y);
    }

    /// <summary>Inference-mode forward with the moving statistics.</summary>
    public static void ForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar,
        float epsilon, Tensor y, float[] scratchMean, float[] scratchInvStd)
    {
        int c = x.Dim(-1);
        for (int j = 0; j < c; j++)
        {
            scratchMean[j] = movingMean.Data[j];
            scratchInvStd[j] = 1f / MathF.Sqrt(movingVar.Data[j] + epsilon);
        }
        Normalize(x, gamma, beta, scratchMean, scratchInvStd, y);
    }

    private static void Normalize(Tensor x, Tensor gamma, Tensor beta, float[] mean, float[] invStd, Tensor y)
    {
        int c = x.Dim(-1), m = x.Size / c;
        Span<float> scale = c <= MaxStackChannels ? stackalloc float[c] : new float[c];
        Span<float> shift = c <= MaxStackChannels ? stackalloc float[c] : new float[c];
        for (int j = 0; j < c; j++)
        {
            scale[j] = gamma.Data[j] * invStd[j];
            shift[j] = beta.Data[j] - mean[j] * scale[j];
        }
        for (int i = 0; i < m; i++)
        {
            var xr = x.Data.AsSpan(i * c, c);
            var yr = y.Data.AsSpan(i * c, c);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(xr, scale, shift, yr);
        }
    }

    /// <summary>Training-mode backward. dGamma/dBeta are overwritten; dx (optional) is overwritten.</summary>
    /// <remarks>With a <paramref name="world"/> of several ranks (synchronized statistics), dx uses the sums of dy and dy·x̂ over the whole global batch; dGamma/dBeta stay this rank's part (Fit sums them with the other gradients).</remarks>
    public static void Backward(Tensor x, Tensor gamma, float[] mean, float[] invStd, Tensor dy,
        Tensor? dx, Tensor? dGamma, Tensor? dBeta, Worlds.IWorld? world = null)
    {
        int c = x.Dim(-1), m = x.Size / c;
        Span<double> sumDy = c <= MaxStackChannels ? stackalloc double[c] : new double[c];
        Span<double> sumDyXhat = c <= MaxStackChannels ? stackalloc double[c] : new double[c];
        SumGradients(x, mean, invStd, dy, sumDy, sumDyXhat, dGamma, dBeta);
        double total = m;
        if (world is { Size: > 1 })
        {
            var sums = SynchronizedScratch(2 * c + 1);
            sumDy.CopyTo(sums);
            sumDyXhat.CopyTo(sums.AsSpan(c));
            sums[2 * c] = m;
            world.AllReduceSum(sums.AsSpan(0, 2 * c + 1));   // every rank sums, even one that needs no dx, so the collectives match
            sums.AsSpan(0, c).CopyTo(sumDy);
            sums.AsSpan(c, c).CopyTo(sumDyXhat);
            total = sums[2 * c];
        }
        if (dx is null) return;
        for (int i = 0; i < m; i++)
        {
            int o = i * c;
            for (int j = 0; j < c; j++)
            {
                float xhat = (x.Data[o + j] - mean[j]) * invStd[j];
                dx.Data[o + j] = gamma.Data[j] * invStd[j] *
                    (dy.Data[o + j] - (float)(sumDy[j] / total) - xhat * (float)(sumDyXhat[j] / total));
            }
        }
    }

    /// <summary>Inference-mode backward (statistics are constants): dx = dy · γ / sqrt(var + ε).</summary>
    public static void BackwardInference(Tensor gamma, float[] invStd, Tensor dy, Tensor dx)
    {
        int c = dy.Dim(-1), m = dy.Size / c;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < c; j++)
                dx.Data[i * c + j] = dy.Data[i * c + j] * gamma.Data[j] * invStd[j];
    }

    /// <summary>
    /// Inference-mode backward with weight gradients: a trainable BatchNormalization run in inference mode (Keras'
    /// <c>base(x, training: false)</c> during fine-tuning) still trains gamma and beta.
    /// <paramref name="mean"/>/<paramref name="invStd"/> are the moving mean and 1/sqrt(moving_var + ε) used by the forward.
    /// dGamma/dBeta/dx are overwritten when given.
    /// </summary>
    public static void BackwardInference(Tensor x, Tensor gamma, float[] mean, float[] invStd, Tensor dy,
        Tensor? dx, Tensor? dGamma, Tensor? dBeta)
    {
        int c = dy.Dim(-1), m = dy.Size / c;
        if (dGamma is not null || dBeta is not null)
        {
            Span<double> sumDy = c <= MaxStackChannels ? stackalloc double[c] : new double[c];
            Span<double> sumDyXhat = c <= MaxStackChannels ? stackalloc double[c] : new double[c];
            SumGradients(x, mean, invStd, dy, sumDy, sumDyXhat, dGamma, dBeta);
        }
        if (dx is not null) BackwardInference(gamma, invStd, dy, dx);
    }

    /// <summary>Σ dy and Σ dy·x̂ per channel (dBeta and dGamma), written to the spans and to dBeta/dGamma when given.</summary>
    private static void SumGradients(Tensor x, float[] mean, float[] invStd, Tensor dy, Span<double> sumDy, Span<double> sumDyXhat,
        Tensor? dGamma, Tensor? dBeta)
    {
        int c = dy.Dim(-1), m = dy.Size / c;
        sumDy.Clear();
        sumDyXhat.Clear();
        for (int i = 0; i < m; i++)
        {
            int o = i * c;
            for (int j = 0; j < c; j++)
            {
                float g = dy.Data[o + j];
                sumDy[j] += g;
                sumDyXhat[j] += g * (x.Data[o + j] - mean[j]) * invStd[j];
            }
        }
        if (dBeta is not null) for (int j = 0; j < c; j++) dBeta.Data[j] = (float)sumDy[j];
        if (dGamma is not null) for (int j = 0; j < c; j++) dGamma.Data[j] = (float)sumDyXhat[j];
    }
}
