using static DeepSharp.Utils;

namespace DeepSharp.Tests.Data;

public class ToCategoricalTests
{
    [Fact]
    public void OneHotRowsWithClassesFromTheLargestLabel()
    {
        var y = ToCategorical([0, 2, 1, 2]);

        Assert.Equal(new[] { 4, 3 }, y.Shape.ToArray());
        float[] expected = [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1];
        Assert.Equal(expected, y.Span.ToArray());
    }

    [Fact]
    public void NumClassesWidensTheRows()
    {
        var y = ToCategorical([3], numClasses: 10);
        Assert.Equal(new[] { 1, 10 }, y.Shape.ToArray());
        Assert.Equal(1f, y[0, 3]);
        Assert.Equal(1f, y.Span.ToArray().Sum());
    }

    [Fact]
    public void NegativeLabelIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => ToCategorical([1, -1, 0]));
        Assert.Contains("-1", e.Message);
        Assert.Contains("index 1", e.Message);
    }

    [Fact]
    public void LabelNotBelowNumClassesIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => ToCategorical([1, 10], numClasses: 10));
        Assert.Contains("label 10", e.Message);
        Assert.Contains("numClasses = 10", e.Message);
    }

    [Fact]
    public void EmptyLabelsNeedNumClasses()
    {
        Assert.Equal(new[] { 0, 10 }, ToCategorical([], 10).Shape.ToArray());
        Assert.Throws<ArgumentException>(() => ToCategorical([]));
    }
}
