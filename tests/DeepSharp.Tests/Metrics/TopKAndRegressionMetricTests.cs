using DeepSharp.Metrics;

namespace DeepSharp.Tests.Metrics;

/// <summary>Top-k accuracy and the regression metrics against float64 references (make_metrics_fixtures.py).</summary>
public class TopKAndRegressionMetricTests
{
    private static TorchCase Case(string name) => TorchFixtures.Case(name, "metrics");

    [Theory]
    [InlineData(5)]
    [InlineData(1)]
    [InlineData(3)]
    public void TopKAccuracyMatchesInTopK(int k)
    {
        var c = Case($"top_k_{k}");
        Tensor p = c.Tensor("y_pred"), oneHot = c.Tensor("y_true_one_hot"), sparse = c.Tensor("y_true_sparse");
        var dense = new TopKCategoricalAccuracy(k);
        var sparseMetric = new SparseTopKCategoricalAccuracy(k);
        dense.Update(ConfusionMetricTests.Rows(p, 0, 17), ConfusionMetricTests.Rows(oneHot, 0, 17));
        sparseMetric.Update(ConfusionMetricTests.Rows(p, 0, 17), ConfusionMetricTests.Rows(sparse, 0, 17));
        Assert.Equal(c.Scalar("first_half"), dense.Result, 12);
        Assert.Equal(c.Scalar("first_half"), sparseMetric.Result, 12);
        dense.Update(ConfusionMetricTests.Rows(p, 17, 13), ConfusionMetricTests.Rows(oneHot, 17, 13));
        sparseMetric.Update(ConfusionMetricTests.Rows(p, 17, 13), ConfusionMetricTests.Rows(sparse, 17, 13));
        Assert.Equal(c.Scalar("result"), dense.Result, 12);
        Assert.Equal(c.Scalar("result"), sparseMetric.Result, 12);
        Assert.Equal([c.Scalar("result") * 30, 30.0], dense.State.ToArray().Select(v => Math.Round(v, 9)).ToArray());
    }

    [Fact]
    public void TopOneIsCategoricalAccuracyAndDefaultsAreKeras()
    {
        var c = Case("top_k_1");
        Tensor p = c.Tensor("y_pred"), oneHot = c.Tensor("y_true_one_hot");
        var top1 = new TopKCategoricalAccuracy(k: 1);
        var accuracy = new CategoricalAccuracy();
        top1.Update(ConfusionMetricTests.Rows(p, 2, 28), ConfusionMetricTests.Rows(oneHot, 2, 28));   // rows 0-1 hold ties
        accuracy.Update(ConfusionMetricTests.Rows(p, 2, 28), ConfusionMetricTests.Rows(oneHot, 2, 28));
        Assert.Equal(accuracy.Result, top1.Result);
        Assert.Equal(5, new TopKCategoricalAccuracy().K);
        Assert.Equal("top_k_categorical_accuracy", new TopKCategoricalAccuracy().Name);
        Assert.Equal("sparse_top_k_categorical_accuracy", new SparseTopKCategoricalAccuracy().Name);
    }

    [Fact]
    public void MeanAbsoluteAndSquaredErrorMatchTorch()
    {
        var c = Case("regression");
        Tensor p = c.Tensor("y_pred"), y = c.Tensor("y_true");
        var mae = new DeepSharp.Metrics.MeanAbsoluteError();
        var mse = new DeepSharp.Metrics.MeanSquaredError();
        foreach (var (start, count) in new[] { (0, 5), (5, 11) })
        {
            mae.Update(ConfusionMetricTests.Rows(p, start, count), ConfusionMetricTests.Rows(y, start, count));
            mse.Update(ConfusionMetricTests.Rows(p, start, count), ConfusionMetricTests.Rows(y, start, count));
        }
        // The backend sums blocks in float32 (as Keras does in float32), the blocks in double: float32 rounding of the float64 reference.
        Assert.InRange(mae.Result, c.Scalar("mae") * (1 - 1e-6), c.Scalar("mae") * (1 + 1e-6));
        Assert.InRange(mse.Result, c.Scalar("mse") * (1 - 1e-6), c.Scalar("mse") * (1 + 1e-6));
        Assert.Equal(16, mse.State[1]);
        Assert.Equal("mean_absolute_error", mae.Name);
        Assert.Equal("mean_squared_error", mse.Name);
    }

    [Fact]
    public void BadArgumentsGetOneClearError()
    {
        var k = Assert.Throws<ArgumentOutOfRangeException>(() => new TopKCategoricalAccuracy(k: 0));
        Assert.Contains("k must be at least 1", k.Message);
        Assert.Contains("got 0", k.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparseTopKCategoricalAccuracy(k: -2));
        var shape = Assert.Throws<ArgumentException>(() => new TopKCategoricalAccuracy().Update(new Tensor(4, 10), new Tensor(4)));
        Assert.Contains("'top_k_categorical_accuracy'", shape.Message);
        Assert.Contains("sparse_top_k_categorical_accuracy", shape.Message);
        var label = new Tensor(2);
        label.Span[1] = 10;
        Assert.Contains("class 10", Assert.Throws<ArgumentException>(() => new SparseTopKCategoricalAccuracy().Update(new Tensor(2, 10), label)).Message);
        Assert.Contains("'mse'", Assert.Throws<ArgumentException>(() => new DeepSharp.Metrics.MeanSquaredError("mse").Update(new Tensor(4, 2), new Tensor(4, 3))).Message);
    }
}
