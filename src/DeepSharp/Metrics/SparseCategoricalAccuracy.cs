namespace DeepSharp.Metrics;

/// <summary>Share of samples whose largest output is at the integer target's index.</summary>
public sealed class SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : MeanMetric(name)
{
    protected override double BatchSum(Tensor predictions, Tensor targets, out int count)
    {
        count = predictions.Dim(0);
        int c = predictions.Size / count, correct = 0;
        if (targets.Size != count) ShapeError(predictions, targets, "expected one integer class index per sample (batch) or (batch, 1).");
        ReadOnlySpan<float> t = targets.Span;
        for (int i = 0; i < count; i++)
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(predictions.Span.Slice(i * c, c)) == (int)t[i]) correct++;
        return correct;
    }
}
