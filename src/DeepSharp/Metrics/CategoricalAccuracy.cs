namespace DeepSharp.Metrics;

/// <summary>Share of samples whose largest output is at the position of the largest (one-hot) target.</summary>
public sealed class CategoricalAccuracy(string name = "categorical_accuracy") : MeanMetric(name)
{
    protected override double BatchSum(Tensor predictions, Tensor targets, out int count)
    {
        count = predictions.Dim(0);
        int c = predictions.Size / count, correct = 0;
        if (targets.Size != predictions.Size) ShapeError(predictions, targets, "expected one-hot targets of the predictions' shape (for integer labels use sparse_categorical_accuracy).");
        for (int i = 0; i < count; i++)
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(predictions.Span.Slice(i * c, c)) ==
                System.Numerics.Tensors.TensorPrimitives.IndexOfMax(targets.Span.Slice(i * c, c))) correct++;
        return correct;
    }
}
