using System.Numerics.Tensors;

namespace DeepSharp.Backends.Cpu;

/// <summary>The metrics' reductions.</summary>
public sealed partial class CpuBackend
{
    double IBackend.ErrorSum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, bool squared)
    {
        // The differences of a block of 1024 on the stack (no allocation), vector sums in float per block, the blocks summed in double.
        const int block = 1024;
        Span<float> d = stackalloc float[block];
        double sum = 0;
        for (int i = 0; i < predictions.Length; i += block)
        {
            int n = Math.Min(block, predictions.Length - i);
            var part = d[..n];
            TensorPrimitives.Subtract(predictions.Slice(i, n), targets.Slice(i, n), part);
            sum += squared ? TensorPrimitives.SumOfSquares(part) : TensorPrimitives.SumOfMagnitudes(part);
        }
        return sum;
    }
}
