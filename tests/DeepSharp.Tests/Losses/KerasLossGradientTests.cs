using DeepSharp.Losses;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Losses;

/// <summary>
/// Finite differences of every Keras 3 loss argument's value against its gradient with respect to the model's output
/// (the logits with fromLogits, the probabilities or predictions otherwise), away from the kinks of mae, hinge and the
/// clipping of the crossentropies.
/// </summary>
public class KerasLossGradientTests
{
    private const int N = 4, C = 5;

    public static TheoryData<string> Cases => new(
        "cce_from_logits", "cce_from_logits_ls", "scce_from_logits", "bce_from_logits", "bce_from_logits_ls",
        "cce_ls", "cce_unnormalized", "cce_unnormalized_ls", "scce_unnormalized", "bce_ls",
        "mse", "mae", "huber", "huber_delta_0.3", "hinge", "hinge_signed");

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientMatchesFiniteDifferences(string name)
    {
        var (loss, output, targets, h) = Setup(name);
        var grad = new float[N * C];
        double value = loss.Compute(output, null, targets, grad);
        Assert.True(double.IsFinite(value) && value > 0, $"{name}: loss {value}");
        var scratch = new float[N * C];
        Check($"{name}: d{loss.Name}/doutput", output, () => loss.Compute(output, null, targets, scratch), grad, h: h);
    }

    private static (Loss Loss, Tensor Output, Tensor Targets, float H) Setup(string name) => name switch
    {
        "cce_from_logits" => (new CategoricalCrossentropy(fromLogits: true), Random(3, [N, C], -3f, 3f), OneHot(), 1e-2f),
        "cce_from_logits_ls" => (new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.2), Random(3, [N, C], -3f, 3f), OneHot(), 1e-2f),
        "scce_from_logits" => (new SparseCategoricalCrossentropy(fromLogits: true), Random(3, [N, C], -3f, 3f), Labels(), 1e-2f),
        "bce_from_logits" => (new BinaryCrossentropy(fromLogits: true), Random(3, [N, C], -3f, 3f), Bits(), 1e-2f),
        "bce_from_logits_ls" => (new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.3), Random(3, [N, C], -3f, 3f), Bits(), 1e-2f),
        // Probabilities, not summing to 1 unless said: Keras divides each row by its sum first.
        "cce_ls" => (new CategoricalCrossentropy(labelSmoothing: 0.2), Softmax(Random(3, [N, C])), OneHot(), 1e-3f),
        "cce_unnormalized" => (new CategoricalCrossentropy(), Random(3, [N, C], 0.05f, 0.95f), OneHot(), 1e-3f),
        "cce_unnormalized_ls" => (new CategoricalCrossentropy(labelSmoothing: 0.2), Random(3, [N, C], 0.05f, 0.95f), OneHot(), 1e-3f),
        "scce_unnormalized" => (new SparseCategoricalCrossentropy(), Random(3, [N, C], 0.05f, 0.95f), Labels(), 1e-3f),
        "bce_ls" => (new BinaryCrossentropy(labelSmoothing: 0.3), Random(3, [N, C], 0.1f, 0.9f), Bits(), 1e-3f),
        // Regression: predictions in [-3, 3] against targets in [-1, 1], so Huber's errors fall on both sides of delta.
        "mse" => (new MeanSquaredError(), Random(3, [N, C], -3f, 3f), Random(4, [N, C]), 1e-3f),
        "mae" => (new MeanAbsoluteError(), Random(3, [N, C], -3f, 3f), Random(4, [N, C]), 1e-3f),
        "huber" => (new Huber(), Random(3, [N, C], -3f, 3f), Random(4, [N, C]), 1e-3f),
        "huber_delta_0.3" => (new Huber(delta: 0.3), Random(3, [N, C], -3f, 3f), Random(4, [N, C]), 1e-3f),
        "hinge" => (new Hinge(), HingeInputs(), Bits(), 1e-3f),
        "hinge_signed" => (new Hinge(), HingeInputs(), Signs(), 1e-3f),
        _ => throw new ArgumentException(name),
    };

    [Fact]
    public void HingeTurnsZeroOneLabelsIntoMinusOneOne()
    {
        var p = Random(3, [N, C], -2f, 2f);
        var (g01, g11) = (new float[N * C], new float[N * C]);
        double a = new Hinge().Compute(p, null, Bits(), g01), b = new Hinge().Compute(p, null, Signs(), g11);
        Assert.Equal(b, a, 12);
        Assert.Equal(g11, g01);
        Assert.Contains(g01, v => v != 0f);
    }

    [Fact]
    public void FromLogitsEqualsTheFusedSoftmaxAndSigmoid()
    {
        // fromLogits: the model's output is z; fused: the output is softmax(z)/sigmoid(z) and the loss gets z as well.
        var z = Random(3, [N, C], -3f, 3f);
        foreach (var (fromLogits, fused, targets) in new (Loss, Loss, Tensor)[]
        {
            (new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1), new CategoricalCrossentropy(labelSmoothing: 0.1), OneHot()),
            (new SparseCategoricalCrossentropy(fromLogits: true), new SparseCategoricalCrossentropy(), Labels()),
            (new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1), new BinaryCrossentropy(labelSmoothing: 0.1), Bits()),
        })
        {
            var p = new Tensor(N, C);
            DeepSharp.Backends.Cpu.ActivationOps.Forward(fused.FusedActivation!.Value, z.Span, p.Span, C);
            var (g1, g2) = (new float[N * C], new float[N * C]);
            Assert.Equal(fused.Compute(p, z, targets, g2), fromLogits.Compute(z, null, targets, g1), 6);
            for (int i = 0; i < g1.Length; i++) Assert.Equal(g2[i], g1[i], 6);
            Assert.Null(fromLogits.FusedActivation);
        }
    }

    /// <summary>Predictions in [-2, 2] with |p| kept 0.05 away from 1, where the hinge max(1 - y·p, 0) bends.</summary>
    private static Tensor HingeInputs()
    {
        var p = Random(3, [N, C], -2f, 2f);
        var s = p.Span;
        for (int i = 0; i < s.Length; i++)
            if (Math.Abs(Math.Abs(s[i]) - 1) < 0.05f) s[i] *= 1.1f;
        return p;
    }

    private static Tensor OneHot()
    {
        var t = new Tensor(N, C);
        int[] labels = [2, 0, 4, 1];
        for (int i = 0; i < N; i++) t[i, labels[i]] = 1f;
        return t;
    }

    private static Tensor Labels() => Tensor.FromArray([2f, 0f, 4f, 1f], N);

    private static Tensor Bits()
    {
        var t = Random(5, [N, C], 0f, 1f);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = s[i] < 0.5f ? 0f : 1f;
        return t;
    }

    private static Tensor Signs()
    {
        var t = Bits();
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = 2 * s[i] - 1;
        return t;
    }

    private static Tensor Softmax(Tensor z)
    {
        var p = new Tensor(z.ShapeArray);
        DeepSharp.Backends.Cpu.ActivationOps.Forward(ActivationKind.Softmax, z.Span, p.Span, z.Dim(-1));
        return p;
    }
}
