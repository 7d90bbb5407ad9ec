using DeepSharp.Backends.Cpu;

namespace DeepSharp.Backends.Reference;

internal sealed partial class ReferenceBackend
{
    public void Activation(ActivationKind kind, Tensor x, Tensor y)
    {
        int size = x.Size;
        if (kind == ActivationKind.Softmax) { SoftmaxRows(x.Data, y.Data, size / x.Dim(-1), 1, x.Dim(-1)); return; }
        for (int i = 0; i < size; i++) y.Data[i] = (float)ActivationValue(kind, x.Data[i]);
    }

    public void ActivationBackward(ActivationKind kind, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        int size = y.Size;
        if (kind == ActivationKind.Softmax) { SoftmaxBackwardRows(y.Data, dy.Data, dx.Data, size / y.Dim(-1), 1, y.Dim(-1)); return; }
        for (int i = 0; i < size; i++)
        {
            double v = y.Data[i], d = dy.Data[i];
            dx.Data[i] = (float)(kind switch
            {
                ActivationKind.Linear => d,
                ActivationKind.Relu => v > 0 ? d : 0,
                ActivationKind.Sigmoid => d * v * (1 - v),
                ActivationKind.Tanh => d * (1 - v * v),
                _ => d * ActivationDerivative(kind, x.Data[i]),
            });
        }
    }

    public void Relu(Tensor x, Tensor y, float maxValue, float negativeSlope, float threshold)
    {
        for (int i = 0; i < x.Size; i++)
        {
            float v = x.Data[i];
            y.Data[i] = v >= maxValue ? maxValue : v >= threshold ? v : (float)((double)negativeSlope * (v - (double)threshold));
        }
    }

    public void ReluBackward(Tensor x, Tensor dy, Tensor dx, float maxValue, float negativeSlope, float threshold)
    {
        for (int i = 0; i < x.Size; i++)
        {
            float v = x.Data[i];
            dx.Data[i] = v >= maxValue ? 0f : v >= threshold ? dy.Data[i] : negativeSlope * dy.Data[i];
        }
    }

    public void Softmax(Tensor x, Tensor y, int axis)
    {
        var (outer, inner) = AxisOps.Split(x.Shape, axis);
        SoftmaxRows(x.Data, y.Data, outer, inner, x.Dim(axis));
    }

    public void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, int axis)
    {
        var (outer, inner) = AxisOps.Split(y.Shape, axis);
        SoftmaxBackwardRows(y.Data, dy.Data, dx.Data, outer, inner, y.Dim(axis));
    }

    /// <summary>Softmax of every (outer, inner) line of n values spaced inner apart, in double.</summary>
    private static void SoftmaxRows(float[] x, float[] y, int outer, int inner, int n)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                double max = double.NegativeInfinity, sum = 0;
                for (int k = 0; k < n; k++) max = Math.Max(max, x[b + k * inner]);
                for (int k = 0; k < n; k++) sum += Math.Exp(x[b + k * inner] - max);
                for (int k = 0; k < n; k++) y[b + k * inner] = (float)(Math.Exp(x[b + k * inner] - max) / sum);
            }
    }

    private static void SoftmaxBackwardRows(float[] y, float[] dy, float[] dx, int outer, int inner, int n)
    {
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                double dot = 0;
                for (int k = 0; k < n; k++) dot += (double)dy[b + k * inner] * y[b + k * inner];
                for (int k = 0; k < n; k++) dx[b + k * inner] = (float)(y[b + k * inner] * (dy[b + k * inner] - dot));
            }
    }

    /// <summary>The same draws as every backend (one <see cref="Random.NextSingle"/> per value, in order): the stream is the contract.</summary>
    public void Dropout(Tensor x, Tensor y, Tensor mask, float rate, Random random)
    {
        float keep = 1f / (1f - rate);
        for (int i = 0; i < mask.Size; i++) mask.Data[i] = random.NextSingle() < rate ? 0f : keep;
        for (int i = 0; i < x.Size; i++) y.Data[i] = x.Data[i] * mask.Data[i];
    }

    public void DropoutBackward(Tensor dy, Tensor mask, Tensor dx)
    {
        for (int i = 0; i < dy.Size; i++) dx.Data[i] = dy.Data[i] * mask.Data[i];
    }

    public void Add(IReadOnlyList<Tensor> inputs, Tensor y)
    {
        for (int i = 0; i < y.Size; i++)
        {
            double s = 0;
            foreach (var t in inputs) s += t.Data[i];
            y.Data[i] = (float)s;
        }
    }

    public void BroadcastBinary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        var bs = b.Span;
        var ys = y.Span;
        ReadOnlySpan<float> av = a.Span;
        for (int i = 0; i < av.Length; i++)
        {
            double p = av[i], q = bs[i % bs.Length];
            ys[i] = (float)(op switch { BinaryOp.Add => p + q, BinaryOp.Subtract => p - q, BinaryOp.Multiply => p * q, _ => p / q });
        }
    }

    public void SumAxis(Tensor x, Tensor y, int outer, int n, int inner)
    {
        ReadOnlySpan<float> xs = x.Span;
        var ys = y.Span;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += xs[(o * n + j) * inner + i];
                ys[o * inner + i] = (float)s;
            }
    }

    public void BroadcastConstant(ConstantOp op, Tensor x, ReadOnlySpan<float> c, Tensor y)
    {
        for (int i = 0; i < x.Size; i++)
        {
            float a = x.Data[i], b = c[i % c.Length];
            y.Data[i] = op switch { ConstantOp.Add => a + b, ConstantOp.Subtract => a - b, ConstantOp.ReverseSubtract => b - a, _ => a * b };
        }
    }

    public void BroadcastConstantBackward(ConstantOp op, Tensor dy, ReadOnlySpan<float> c, Tensor dx)
    {
        for (int i = 0; i < dy.Size; i++)
        {
            float d = dy.Data[i];
            dx.Data[i] = op switch { ConstantOp.Add or ConstantOp.Subtract => d, ConstantOp.ReverseSubtract => -d, _ => d * c[i % c.Length] };
        }
    }

    public void BatchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float momentum, float epsilon,
        Tensor y, float[] mean, float[] invStd, Worlds.IWorld? world)
    {
        if (world is { Size: > 1 })
            throw new NotSupportedException("The reference backend computes batch statistics of one process only: use the CPU backend for synchronized BatchNormalization.");
        int c = x.Dim(-1), m = x.Size / c;
        for (int j = 0; j < c; j++)
        {
            double s = 0, ss = 0;
            for (int i = 0; i < m; i++) s += x.Data[i * c + j];
            double mu = s / m;
            for (int i = 0; i < m; i++) { double d = x.Data[i * c + j] - mu; ss += d * d; }
            double variance = ss / m;
            mean[j] = (float)mu;
            invStd[j] = (float)(1 / Math.Sqrt(variance + epsilon));
            movingMean.Data[j] = (float)(movingMean.Data[j] * (double)momentum + mu * (1 - (double)momentum));
            movingVar.Data[j] = (float)(movingVar.Data[j] * (double)momentum + variance * (1 - (double)momentum));
        }
        Normalize(x, gamma, beta, mean, invStd, y);
    }

    public void BatchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, float epsilon,
        Tensor y, float[] mean, float[] invStd)
    {
        for (int j = 0; j < x.Dim(-1); j++)
        {
            mean[j] = movingMean.Data[j];
            invStd[j] = (float)(1 / Math.Sqrt(movingVar.Data[j] + (double)epsilon));
        }
        Normalize(x, gamma, beta, mean, invStd, y);
    }

    private static void Normalize(Tensor x, Tensor gamma, Tensor beta, float[] mean, float[] invStd, Tensor y)
    {
        int c = x.Dim(-1);
        for (int i = 0; i < x.Size; i++)
        {
            int j = i % c;
            y.Data[i] = (float)(gamma.Data[j] * ((x.Data[i] - (double)mean[j]) * invStd[j]) + beta.Data[j]);
        }
    }

    public void BatchNormBackward(Tensor x, Tensor gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta,
        Worlds.IWorld? world)
    {
        if (world is { Size: > 1 })
            throw new NotSupportedException("The reference backend computes batch statistics of one process only: use the CPU backend for synchronized BatchNormalization.");
        int c = x.Dim(-1), m = x.Size / c;
        for (int j = 0; j < c; j++)
        {
            double sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < m; i++)
            {
                double d = dy.Data[i * c + j];
                sumDy += d;
                sumDyXhat += d * (x.Data[i * c + j] - (double)mean[j]) * invStd[j];
            }
            if (dGamma is not null) dGamma.Data[j] = (float)sumDyXhat;
            if (dBeta is not null) dBeta.Data[j] = (float)sumDy;
            if (dx is null) continue;
            for (int i = 0; i < m; i++)
            {
                double xhat = (x.Data[i * c + j] - (double)mean[j]) * invStd[j];
                dx.Data[i * c + j] = (float)((double)gamma.Data[j] * invStd[j] * (dy.Data[i * c + j] - sumDy / m - xhat * sumDyXhat / m));
            }
        }
    }

    public void BatchNormBackwardInference(Tensor x, Tensor gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta)
    {
        int c = dy.Dim(-1), m = dy.Size / c;
        for (int j = 0; j < c; j++)
        {
            double sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < m; i++)
            {
                double d = dy.Data[i * c + j];
                if (dGamma is not null || dBeta is not null) { sumDy += d; sumDyXhat += d * (x.Data[i * c + j] - (double)mean[j]) * invStd[j]; }
                if (dx is not null) dx.Data[i * c + j] = (float)(d * gamma.Data[j] * invStd[j]);
            }
            if (dGamma is not null) dGamma.Data[j] = (float)sumDyXhat;
            if (dBeta is not null) dBeta.Data[j] = (float)sumDy;
        }
    }

    public void ZeroPad(Tensor x, Tensor y, int top, int left)
    {
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3), oh = y.Dim(1), ow = y.Dim(2);
        Array.Clear(y.Data, 0, y.Size);
        for (int b = 0; b < n; b++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    for (int k = 0; k < c; k++)
                        y.Data[((b * oh + i + top) * ow + j + left) * c + k] = x.Data[((b * h + i) * w + j) * c + k];
    }

    public void ZeroPadBackward(Tensor dy, Tensor dx, int top, int left)
    {
        int n = dx.Dim(0), h = dx.Dim(1), w = dx.Dim(2), c = dx.Dim(3), oh = dy.Dim(1), ow = dy.Dim(2);
        for (int b = 0; b < n; b++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    for (int k = 0; k < c; k++)
                        dx.Data[((b * h + i) * w + j) * c + k] = dy.Data[((b * oh + i + top) * ow + j + left) * c + k];
    }

    public void Permute(Tensor x, Tensor y, ReadOnlySpan<int> perm)
    {
        int rank = x.Rank;
        var idx = new int[rank];
        for (int o = 0; o < y.Size; o++)
        {
            // y's multi-index from o, then x's flat offset with y's axis k at x's axis perm[k].
            int rest = o, src = 0;
            for (int k = rank - 1; k >= 0; k--) { idx[k] = rest % y.Dim(k); rest /= y.Dim(k); }
            var xIdx = new int[rank];
            for (int k = 0; k < rank; k++) xIdx[perm[k]] = idx[k];
            for (int a = 0; a < rank; a++) src = src * x.Dim(a) + xIdx[a];
            y.Data[o] = x.Data[src];
        }
    }

    public void Concat(IReadOnlyList<Tensor> xs, Tensor y, int axis)
    {
        var (outer, inner) = AxisOps.Split(y.Shape, axis);
        int total = y.Dim(axis), offset = 0;
        foreach (var x in xs)
        {
            int n = x.Dim(axis);
            for (int o = 0; o < outer; o++)
                for (int k = 0; k < n; k++)
                    for (int i = 0; i < inner; i++)
                        y.Data[(o * total + offset + k) * inner + i] = x.Data[(o * n + k) * inner + i];
            offset += n;
        }
    }

    public void Slice(Tensor x, Tensor y, int axis, int start)
    {
        var (outer, inner) = AxisOps.Split(x.Shape, axis);
        int n = y.Dim(axis), total = x.Dim(axis);
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < n; k++)
                for (int i = 0; i < inner; i++)
                    y.Data[(o * n + k) * inner + i] = x.Data[(o * total + start + k) * inner + i];
    }

    public void SliceBackward(Tensor dy, Tensor dx, int axis, int start)
    {
        var (outer, inner) = AxisOps.Split(dx.Shape, axis);
        int n = dy.Dim(axis), total = dx.Dim(axis);
        Array.Clear(dx.Data, 0, dx.Size);
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < n; k++)
                for (int i = 0; i < inner; i++)
                    dx.Data[(o * total + start + k) * inner + i] = dy.Data[(o * n + k) * inner + i];
    }

    public void SgdUpdate(Span<float> w, ReadOnlySpan<float> g, float[]? v, float lr, float m, bool nesterov)
    {
        for (int i = 0; i < w.Length; i++)
        {
            if (v is null || m == 0) { w[i] -= lr * g[i]; continue; }
            v[i] = m * v[i] - lr * g[i];
            w[i] += nesterov ? m * v[i] - lr * g[i] : v[i];
        }
    }

    public void RmsPropUpdate(Span<float> w, ReadOnlySpan<float> g, float[] a, float[]? v, float lr, float rho, float eps, float momentum)
    {
        for (int i = 0; i < w.Length; i++)
        {
            a[i] = rho * a[i] + (1 - rho) * g[i] * g[i];
            float step = lr * g[i] / MathF.Sqrt(a[i] + eps);
            if (momentum > 0) { v![i] = momentum * v[i] + step; w[i] -= v[i]; }
            else w[i] -= step;
        }
    }

    public void AdamUpdate(Span<float> w, ReadOnlySpan<float> g, float[] m, float[] v, float[]? vHat, float alpha, float b1, float b2, float eps)
    {
        for (int i = 0; i < w.Length; i++)
        {
            m[i] += (g[i] - m[i]) * b1;
            v[i] += (g[i] * g[i] - v[i]) * b2;
            float d = v[i];
            if (vHat is not null) d = vHat[i] = Math.Max(vHat[i], d);
            w[i] -= alpha * m[i] / (MathF.Sqrt(d) + eps);
        }
    }
}
