using DeepSharp.Losses;
using DeepSharp.Backends.Cpu;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Losses;

/// <summary>
/// Each loss's gradient against finite differences of its value: with respect to the predictions (unfused),
/// and with respect to the logits when fused with softmax/sigmoid (the predictions are then recomputed from
/// the logits at every probe, so the check covers the whole softmax/sigmoid + loss chain).
/// </summary>
public class LossGradientTests
{
    private const int N = 4, C = 5;

    public static TheoryData<string> Names => new() { "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy", "mean_squared_error" };

    [Theory]
    [MemberData(nameof(Names))]
    public void UnfusedGradientMatchesFiniteDifferences(string name)
    {
        var loss = Loss.Get(name);
        var targets = Targets(name);
        // Probabilities well inside (0, 1): no clipping, and h = 1e-3 is small against p.
        var p = name switch
        {
            "binary_crossentropy" => Random(3, [N, C], 0.1f, 0.9f),
            "mean_squared_error" => Random(3, [N, C]),
            _ => Softmax(Random(3, [N, C])),
        };
        var grad = new float[N * C];
        double value = loss.Compute(p, null, targets, grad);
        Assert.True(double.IsFinite(value) && value > 0, $"{name}: loss {value}");
        var scratch = new float[N * C];
        Check($"{name} (unfused): dp", p, () => loss.Compute(p, null, targets, scratch), grad, h: 1e-3f);
    }

    [Theory]
    [InlineData("categorical_crossentropy")]
    [InlineData("sparse_categorical_crossentropy")]
    [InlineData("binary_crossentropy")]
    public void FusedGradientWithRespectToLogitsMatchesFiniteDifferences(string name)
    {
        var loss = Loss.Get(name);
        var kind = loss.FusedActivation!.Value;
        var targets = Targets(name);
        var z = Random(3, [N, C], -3f, 3f);
        var p = new Tensor(N, C);
        var scratch = new float[N * C];
        double L()
        {
            ActivationOps.Forward(kind, z.Span, p.Span, C);
            return loss.Compute(p, z, targets, scratch);
        }
        L();
        var grad = new float[N * C];
        loss.Compute(p, z, targets, grad);
        Check($"{name} (fused with {kind}): dz", z, L, grad);
    }

    [Theory]
    [InlineData("categorical_crossentropy")]
    [InlineData("sparse_categorical_crossentropy")]
    [InlineData("binary_crossentropy")]
    public void FusedAndUnfusedGiveTheSameLoss(string name)
    {
        var loss = Loss.Get(name);
        var targets = Targets(name);
        var z = Random(3, [N, C], -3f, 3f);
        var p = new Tensor(N, C);
        ActivationOps.Forward(loss.FusedActivation!.Value, z.Span, p.Span, C);
        var g = new float[N * C];
        Assert.Equal(loss.Compute(p, null, targets, g), loss.Compute(p, z, targets, g), 5);
    }

    [Fact]
    public void FusedLossesStayFiniteForExtremeLogits()
    {
        // Softmax/sigmoid of these logits round to exactly 0 and 1; the fused losses must still be finite and exact.
        var z = Tensor.FromArray([200f, -200f, 0f], 1, 3);
        var p = new Tensor(1, 3);
        ActivationOps.Forward(ActivationKind.Softmax, z.Span, p.Span, 3);
        var g = new float[3];
        Assert.Equal(400.0, new CategoricalCrossentropy().Compute(p, z, Tensor.FromArray([0f, 1f, 0f], 1, 3), g), 3);
        Assert.Equal(400.0, new SparseCategoricalCrossentropy().Compute(p, z, Tensor.FromArray([1f], 1), g), 3);
        ActivationOps.Forward(ActivationKind.Sigmoid, z.Span, p.Span, 3);
        // -log σ(-200)·… : targets (0, 1, 1): 200 + 200 + log 2, averaged over 3 values
        Assert.Equal((400 + Math.Log(2)) / 3, new BinaryCrossentropy().Compute(p, z, Tensor.FromArray([0f, 1f, 1f], 1, 3), g), 3);
    }

    private static Tensor Targets(string name) => name switch
    {
        "categorical_crossentropy" => OneHot([2, 0, 4, 1]),
        "sparse_categorical_crossentropy" => Tensor.FromArray([2f, 0f, 4f, 1f], N),
        "binary_crossentropy" => Bernoulli(5),
        _ => Random(4, [N, C]),
    };

    private static Tensor OneHot(int[] labels)
    {
        var t = new Tensor(labels.Length, C);
        for (int i = 0; i < labels.Length; i++) t[i, labels[i]] = 1f;
        return t;
    }

    private static Tensor Bernoulli(int seed)
    {
        var t = Random(seed, [N, C], 0f, 1f);
        for (int i = 0; i < t.Size; i++) t.Data[i] = t.Data[i] < 0.5f ? 0f : 1f;
        return t;
    }

    private static Tensor Softmax(Tensor z)
    {
        var p = new Tensor(z.ShapeArray);
        ActivationOps.Forward(ActivationKind.Softmax, z.Span, p.Span, z.Dim(-1));
        return p;
    }
}
