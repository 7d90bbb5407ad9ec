using DeepSharp.Metrics;

namespace DeepSharp.Tests.Metrics;

/// <summary>
/// AUC, Precision and Recall against float64 references computed with Keras 3's formulas
/// (tests/fixtures/torch/make_metrics_fixtures.py), plus accumulation over batches, reset and bad arguments.
/// </summary>
public class ConfusionMetricTests
{
    private static TorchCase Case(string name) => TorchFixtures.Case(name, "metrics");

    /// <summary>Rows [start, start + count) of a (batch, ...) tensor.</summary>
    internal static Tensor Rows(Tensor t, int start, int count)
    {
        int per = t.Size / t.Dim(0);
        var r = new Tensor([count, .. t.Shape[1..]]);
        t.Span.Slice(start * per, count * per).CopyTo(r.Span);
        return r;
    }

    [Theory]
    [InlineData("ROC", "interpolation")]
    [InlineData("ROC", "minoring")]
    [InlineData("ROC", "majoring")]
    [InlineData("PR", "interpolation")]
    [InlineData("PR", "minoring")]
    [InlineData("PR", "majoring")]
    public void AucMatchesKerasFormulaOnEveryCurveAndSummation(string curve, string summation)
    {
        var c = Case($"auc_{curve.ToLowerInvariant()}_{summation}");
        var auc = new AUC(curve: curve, summationMethod: summation);
        auc.Update(c.Tensor("y_pred"), c.Tensor("y_true"));
        Assert.Equal(c.Scalar("result"), auc.Result, 12);
    }

    [Fact]
    public void AucRocIsWithinTheInterpolationErrorOfTheExactAuc()
    {
        // The exact ROC AUC (Mann-Whitney, what sklearn.metrics.roc_auc_score computes) from the fixture script.
        var c = Case("auc_roc_interpolation");
        var auc = new AUC();
        auc.Update(c.Tensor("y_pred"), c.Tensor("y_true"));
        double exact = c.Scalar("exact_roc_auc");
        Assert.InRange(auc.Result, exact - 0.01, exact + 0.01);
        Assert.NotEqual(exact, auc.Result);   // 200 buckets: an approximation, not the exact statistic
        Assert.Equal(c.Scalar("true_positives_at_100"), auc.State[100]);
    }

    [Fact]
    public void AucStateOfTwoBatchesIsTheStateOfOneBigBatch()
    {
        var c = Case("auc_pr_interpolation");
        Tensor p = c.Tensor("y_pred"), y = c.Tensor("y_true");
        var whole = new AUC(curve: "PR");
        whole.Update(p, y);
        var parts = new AUC(curve: "PR");
        parts.Update(Rows(p, 0, 137), Rows(y, 0, 137));
        parts.Update(Rows(p, 137, 163), Rows(y, 137, 163));
        Assert.Equal(whole.State.ToArray(), parts.State.ToArray());
        Assert.Equal(c.Scalar("result"), parts.Result, 12);
        Assert.Equal(4 * 200, parts.StateSize);

        parts.Reset();
        Assert.All(parts.State.ToArray(), v => Assert.Equal(0, v));
        Assert.Equal(0, parts.Result);
        parts.Update(Rows(p, 0, 137), Rows(y, 0, 137));
        var first = new AUC(curve: "PR");
        first.Update(Rows(p, 0, 137), Rows(y, 0, 137));
        Assert.Equal(first.Result, parts.Result);
    }

    [Fact]
    public void AucFromLogitsAppliesTheSigmoid()
    {
        var c = Case("auc_from_logits");
        var auc = new AUC(fromLogits: true);
        auc.Update(c.Tensor("y_pred"), c.Tensor("y_true"));
        Assert.Equal(c.Scalar("result"), auc.Result, 12);
    }

    [Fact]
    public void AucWithGivenThresholdsAndFlattenedLabels()
    {
        var c = Case("auc_thresholds");
        var auc = new AUC(thresholds: [0.9, 0.1, 0.3, 0.45, 0.5, 0.7]);
        Assert.Equal(8, auc.NumThresholds);
        Assert.Equal([-1e-7, 0.1, 0.3, 0.45, 0.5, 0.7, 0.9, 1 + 1e-7], auc.ThresholdValues);
        auc.Update(c.Tensor("y_pred"), c.Tensor("y_true"));
        Assert.Equal(c.Scalar("result"), auc.Result, 12);

        var pr31 = new AUC(numThresholds: 31, curve: "PR");
        pr31.Update(c.Tensor("y_pred"), c.Tensor("y_true"));
        Assert.Equal(c.Scalar("result_31"), pr31.Result, 12);

        // Evenly spaced given thresholds take Keras' bucket path and give the numThresholds result.
        var even = new AUC(curve: "PR", thresholds: Enumerable.Range(1, 29).Select(i => i / 30.0).ToArray());
        even.Update(c.Tensor("y_pred"), c.Tensor("y_true"));
        Assert.Equal(pr31.State.ToArray(), even.State.ToArray());
    }

    [Fact]
    public void AucLabelWeightsWeightTheColumnsOfFlattenedLabels()
    {
        var c = Case("auc_thresholds");
        Tensor p = c.Tensor("y_pred"), y = c.Tensor("y_true");
        var plain = new AUC();
        plain.Update(p, y);
        var ones = new AUC(labelWeights: [1, 1, 1]);
        ones.Update(p, y);
        Assert.Equal(plain.Result, ones.Result);

        // Only the first column counts: the AUC of column 0 alone.
        var first = new AUC(labelWeights: [1, 0, 0]);
        first.Update(p, y);
        var column = new AUC();
        column.Update(Column(p, 0), Column(y, 0));
        Assert.Equal(column.Result, first.Result, 12);
        Assert.NotEqual(plain.Result, first.Result);
    }

    private static Tensor Column(Tensor t, int j)
    {
        int n = t.Dim(0), c = t.Dim(1);
        var r = new Tensor(n, 1);
        for (int i = 0; i < n; i++) r.Span[i] = t.Span[i * c + j];
        return r;
    }

    [Fact]
    public void KerasDocstringExamples()
    {
        // keras/src/metrics/confusion_metrics.py: AUC(num_thresholds=3) gives 0.75; Precision() 0.6666667.
        var auc = new AUC(numThresholds: 3);
        auc.Update(T([0, 0.5f, 0.3f, 0.9f]), T([0, 0, 1, 1]));
        Assert.Equal(0.75, auc.Result, 12);
        var precision = new Precision();
        precision.Update(T([1, 0, 1, 1]), T([0, 1, 1, 1]));
        Assert.Equal(2.0 / 3, precision.Result, 12);
        var top2 = new Precision(topK: 2);
        top2.Update(T([1, 1, 1, 1], 1, 4), T([0, 0, 1, 1], 1, 4));
        Assert.Equal(0, top2.Result);
        var top4 = new Precision(topK: 4);
        top4.Update(T([1, 1, 1, 1], 1, 4), T([0, 0, 1, 1], 1, 4));
        Assert.Equal(0.5, top4.Result);
    }

    private static Tensor T(float[] values, params int[] shape)
    {
        var t = new Tensor(shape.Length == 0 ? [values.Length, 1] : shape);
        values.CopyTo(t.Span);
        return t;
    }

    [Theory]
    [InlineData("pr_default", null, null, null)]
    [InlineData("pr_thresholds", "0.3,0.6,0,1", null, null)]
    [InlineData("pr_top_k", null, 2, null)]
    [InlineData("pr_class_id", null, null, 1)]
    [InlineData("pr_top_k_class_id", null, 2, 3)]
    [InlineData("pr_top_k_threshold", "0.4", 3, null)]
    public void PrecisionAndRecallMatchKerasFormula(string name, string? thresholds, int? topK, int? classId)
    {
        var c = Case(name);
        double[]? th = thresholds?.Split(',').Select(double.Parse).ToArray();
        var precision = new Precision(th, topK, classId);
        var recall = new Recall(th, topK, classId);
        Tensor p = c.Tensor("y_pred"), y = c.Tensor("y_true");
        // In two batches: the counts add up.
        int half = p.Dim(0) / 2 + 1;
        foreach (var m in new Metric[] { precision, recall })
        {
            m.Update(Rows(p, 0, half), Rows(y, 0, half));
            m.Update(Rows(p, half, p.Dim(0) - half), Rows(y, half, p.Dim(0) - half));
        }
        double[] ep = c.Numbers("precision"), er = c.Numbers("recall");
        Assert.Equal(ep.Length, precision.Results.Count);
        for (int i = 0; i < ep.Length; i++)
        {
            Assert.Equal(ep[i], precision.Results[i], 12);
            Assert.Equal(er[i], recall.Results[i], 12);
        }
        Assert.Equal(ep[0], precision.Result, 12);
        Assert.Equal(er[0], recall.Result, 12);
        Assert.Equal(2 * ep.Length, precision.StateSize);
    }

    [Fact]
    public void BadArgumentsGetOneClearError()
    {
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => new Precision(thresholds: [0.5, 1.5]));
        Assert.Contains("[0, 1]", e1.Message);
        Assert.Contains("1.5", e1.Message);
        Assert.Contains("'precision'", e1.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AUC(thresholds: [-0.1]));
        Assert.Contains("got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new Recall(topK: 0)).Message);
        Assert.Contains("more than 1", Assert.Throws<ArgumentOutOfRangeException>(() => new AUC(numThresholds: 1)).Message);
        Assert.Contains("\"ROC\" or \"PR\"", Assert.Throws<ArgumentException>(() => new AUC(curve: "PRGAIN")).Message);
        Assert.Contains("majoring", Assert.Throws<ArgumentException>(() => new AUC(summationMethod: "trapezoid")).Message);
        Assert.Contains("multiLabel", Assert.Throws<NotSupportedException>(() => new AUC(multiLabel: true)).Message);

        var shape = Assert.Throws<ArgumentException>(() => new AUC(name: "val_auc_check").Update(new Tensor(4, 3), new Tensor(4, 1)));
        Assert.Contains("'val_auc_check' (AUC)", shape.Message);
        Assert.Contains("(4, 3)", shape.Message);
        Assert.Contains("(4, 1)", shape.Message);
        var cls = Assert.Throws<ArgumentException>(() => new Recall(classId: 5).Update(new Tensor(2, 3), new Tensor(2, 3)));
        Assert.Contains("classId 5", cls.Message);
        Assert.Contains("'recall' (Recall)", cls.Message);
        Assert.Contains("topK 4", Assert.Throws<ArgumentException>(() => new Precision(topK: 4).Update(new Tensor(2, 3), new Tensor(2, 3))).Message);
    }
}
