using DeepSharp.Metrics;

namespace DeepSharp.Tests.Metrics;

/// <summary>The metric state: summed variables, a result computed from them, reset, the sum of two states.</summary>
public class MetricStateTests
{
    private static Tensor T(float[] values, params int[] shape)
    {
        var t = new Tensor(shape);
        values.CopyTo(t.Span);
        return t;
    }

    [Fact]
    public void AccuracyIsTheTwoVariableCase_SumAndCount()
    {
        var m = new BinaryAccuracy();
        Assert.Equal(2, m.StateSize);
        m.Update(T([0.9f, 0.2f, 0.7f, 0.4f], 4, 1), T([1, 0, 0, 0], 4, 1));
        Assert.Equal([3.0, 4.0], m.State.ToArray());
        Assert.Equal(0.75, m.Result);
        m.Reset();
        Assert.Equal([0.0, 0.0], m.State.ToArray());
        Assert.Equal(0, m.Result);
    }

    [Fact]
    public void TheResultOfTwoStatesSummedIsTheResultOfOneBigBatch()
    {
        var a = new CategoricalAccuracy();
        var b = new CategoricalAccuracy();
        var whole = new CategoricalAccuracy();
        float[] p = [0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.7f], y = [0, 1, 0, 1, 0, 1];
        a.Update(T(p[..2], 1, 2), T(y[..2], 1, 2));
        b.Update(T(p[2..], 2, 2), T(y[2..], 2, 2));
        whole.Update(T(p, 3, 2), T(y, 3, 2));
        var sum = new double[2];
        for (int i = 0; i < 2; i++) sum[i] = a.State[i] + b.State[i];
        Assert.Equal(whole.Result, whole.ResultFrom(sum));
        Assert.Equal(2.0 / 3, whole.Result, 12);
    }

    [Fact]
    public void AMeanMetricOfOurOwnSumsOverBatches()
    {
        var m = new MeanPrediction();
        m.Update(T([1, 3], 2, 1), T([0, 0], 2, 1));
        m.Update(T([5], 1, 1), T([0], 1, 1));
        Assert.Equal(3.0, m.Result);
        Assert.Equal([9.0, 3.0], m.State.ToArray());
    }

    [Fact]
    public void TargetsOfTheWrongShapeNameTheMetric()
    {
        var e = Assert.Throws<ArgumentException>(() => new CategoricalAccuracy(name: "acc").Update(T([0.1f, 0.9f, 0.3f, 0.7f], 2, 2), T([1, 0], 2)));
        Assert.Contains("'acc'", e.Message);
        Assert.Contains("(2, 2)", e.Message);
        Assert.Contains("sparse_categorical_accuracy", e.Message);
    }

    private sealed class MeanPrediction() : MeanMetric("mean_prediction")
    {
        protected override double BatchSum(Tensor predictions, Tensor targets, out int count)
        {
            count = predictions.Dim(0);
            double sum = 0;
            foreach (float p in predictions.Span) sum += p;
            return sum;
        }
    }
}
