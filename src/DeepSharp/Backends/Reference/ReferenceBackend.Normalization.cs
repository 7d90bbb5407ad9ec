namespace DeepSharp.Backends.Reference;

/// <summary>Layer normalization, channel dropout and the elementwise product as plain loops (double sums).</summary>
internal sealed partial class ReferenceBackend
{
    public void LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, float epsilon, Tensor y, float[] mean, float[] invStd)
    {
        int rows = mean.Length, d = x.Size / rows;
        for (int r = 0; r < rows; r++)
        {
            double s = 0, ss = 0;
            for (int i = 0; i < d; i++) s += x.Data[r * d + i];
            double mu = s / d;
            for (int i = 0; i < d; i++) ss += (x.Data[r * d + i] - mu) * (x.Data[r * d + i] - mu);
            double inv = 1 / Math.Sqrt(ss / d + epsilon);
            mean[r] = (float)mu;
            invStd[r] = (float)inv;
            for (int i = 0; i < d; i++)
                y.Data[r * d + i] = (float)((x.Data[r * d + i] - mu) * inv * (gamma?.Data[i] ?? 1) + (beta?.Data[i] ?? 0));
        }
    }

    public void LayerNormBackward(Tensor x, Tensor? gamma, float[] mean, float[] invStd, Tensor dy, Tensor? dx, Tensor? dGamma, Tensor? dBeta)
    {
        // xhat = (x - μ)·inv; g = dy·γ; dx = inv·(g - mean(g) - xhat·mean(g·xhat)); dγ = Σ dy·xhat; dβ = Σ dy.
        int rows = mean.Length, d = x.Size / rows;
        var dg = new double[d];
        var dbeta = new double[d];
        for (int r = 0; r < rows; r++)
        {
            double sg = 0, sgx = 0;
            for (int i = 0; i < d; i++)
            {
                double xhat = (x.Data[r * d + i] - (double)mean[r]) * invStd[r], g = dy.Data[r * d + i] * (double)(gamma?.Data[i] ?? 1);
                sg += g;
                sgx += g * xhat;
                dg[i] += dy.Data[r * d + i] * xhat;
                dbeta[i] += dy.Data[r * d + i];
            }
            if (dx is null) continue;
            for (int i = 0; i < d; i++)
            {
                double xhat = (x.Data[r * d + i] - (double)mean[r]) * invStd[r], g = dy.Data[r * d + i] * (double)(gamma?.Data[i] ?? 1);
                dx.Data[r * d + i] = (float)(invStd[r] * (g - sg / d - xhat * sgx / d));
            }
        }
        if (dGamma is not null) Store(dg, dGamma);
        if (dBeta is not null) Store(dbeta, dBeta);
    }

    public void ChannelDropout(Tensor x, Tensor y, Tensor mask, float rate, Random random)
    {
        float keep = 1f / (1f - rate);
        int n = x.Dim(0), c = x.Dim(-1), inner = x.Size / (n * c);
        for (int i = 0; i < n * c; i++) mask.Data[i] = random.NextSingle() < rate ? 0f : keep;
        for (int b = 0; b < n; b++)
            for (int p = 0; p < inner; p++)
                for (int ci = 0; ci < c; ci++)
                    y.Data[(b * inner + p) * c + ci] = x.Data[(b * inner + p) * c + ci] * mask.Data[b * c + ci];
    }

    public void ChannelDropoutBackward(Tensor dy, Tensor mask, Tensor dx)
    {
        int n = dy.Dim(0), c = dy.Dim(-1), inner = dy.Size / (n * c);
        for (int b = 0; b < n; b++)
            for (int p = 0; p < inner; p++)
                for (int ci = 0; ci < c; ci++)
                    dx.Data[(b * inner + p) * c + ci] = dy.Data[(b * inner + p) * c + ci] * mask.Data[b * c + ci];
    }

    public void Multiply(IReadOnlyList<Tensor> inputs, Tensor y)
    {
        for (int i = 0; i < y.Size; i++)
        {
            double p = 1;
            foreach (var t in inputs) p *= t.Data[i];
            y.Data[i] = (float)p;
        }
    }

    public void MultiplyBackward(IReadOnlyList<Tensor> inputs, int skip, Tensor dy, Tensor dx)
    {
        for (int i = 0; i < dx.Size; i++)
        {
            double p = dy.Data[i];
            for (int j = 0; j < inputs.Count; j++) if (j != skip) p *= inputs[j].Data[i];
            dx.Data[i] = (float)p;
        }
    }
}
