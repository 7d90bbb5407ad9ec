namespace DeepSharp.Backends.Reference;

/// <summary>The metrics' reductions as plain loops in double.</summary>
internal sealed partial class ReferenceBackend
{
    public double ErrorSum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, bool squared)
    {
        double sum = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double d = (double)predictions[i] - targets[i];
            sum += squared ? d * d : Math.Abs(d);
        }
        return sum;
    }
}
