namespace DeepSharp.Metrics;

/// <summary>Share of outputs on the same side of 0.5 as their 0/1 target (averaged per sample, then over samples).</summary>
public sealed class BinaryAccuracy(string name = "binary_accuracy") : Metric(name)
{
    protected override double BatchSum(Tensor predictions, Tensor targets, out int count)
    {
        count = predictions.Dim(0);
        int d = predictions.Size / count;
        double sum = 0;
        for (int i = 0; i < predictions.Size; i++)
            if ((predictions.Data[i] > 0.5f) == (targets.Data[i] > 0.5f)) sum += 1.0 / d;
        return sum;
    }
}
