using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests;

/// <summary>The finite-difference checker itself: it accepts a right gradient and rejects wrong ones.</summary>
public class GradientCheckTests
{
    // f(x) = x³ elementwise; L = Σ dy x³, dL/dx = 3 x² dy.
    private static (Tensor X, Tensor Dy, Func<double> L, float[] Right) Cube()
    {
        var x = Random(1, [10], 0.5f, 2f);
        var dy = Random(2, [10]);
        var y = new Tensor(10);
        double L()
        {
            for (int i = 0; i < 10; i++) y.Data[i] = x.Data[i] * x.Data[i] * x.Data[i];
            return Dot(y, dy);
        }
        var right = new float[10];
        for (int i = 0; i < 10; i++) right[i] = 3 * x.Data[i] * x.Data[i] * dy.Data[i];
        return (x, dy, L, right);
    }

    [Fact]
    public void AcceptsTheRightGradient()
    {
        var (x, _, l, right) = Cube();
        Check("x³", x, l, right);
    }

    [Fact]
    public void RejectsAGradientScaledBy1Point05()
    {
        var (x, _, l, right) = Cube();
        var wrong = right.Select(v => v * 1.05f).ToArray();
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Check("x³ (scaled)", x, l, wrong));
    }

    [Fact]
    public void RejectsAGradientWithOneElementWrong()
    {
        var (x, _, l, right) = Cube();
        var wrong = right.ToArray();
        wrong[7] += 0.05f * right.Max(Math.Abs);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Check("x³ (one element)", x, l, wrong));
    }

    [Fact]
    public void RejectsNaN()
    {
        var (x, _, l, right) = Cube();
        var wrong = right.ToArray();
        wrong[3] = float.NaN;
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Check("x³ (NaN)", x, l, wrong));
    }

    [Fact]
    public void NumericDerivativeOfACubicIsAccurateInDouble()
    {
        // Central differences of x³ have error h² x⁰·dy (exactly h²·dy): 1e-4·|dy| for h = 1e-2.
        var (x, dy, l, right) = Cube();
        var numeric = Numeric(x, l, 1e-2f);
        for (int i = 0; i < 10; i++)
            Assert.True(Math.Abs(numeric[i] - right[i]) < 2e-4 + 1e-5 * Math.Abs(right[i]), $"element {i}: {numeric[i]} vs {right[i]}");
    }
}
