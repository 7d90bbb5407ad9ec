using DeepSharp.Backends;
using DeepSharp.Backends.Reference;
using DeepSharp.Layers;
using DeepSharp.Losses;
using DeepSharp.Models;
using DeepSharp.Optimizers;

namespace DeepSharp.Tests.Losses;

/// <summary>
/// Keras 3's losses (issue 23: from_logits, label_smoothing, mae, huber, hinge, and categorical crossentropy's division
/// of probabilities by their row sum) against PyTorch float64: the "loss_*" cases of
/// tests/fixtures/torch/make_names_fixtures.py (4 samples, 5 values; each case stores the model's output "input", the
/// targets, the loss and dLoss/dinput). Checked on the loss itself, and inside a model on both backends.
/// </summary>
[Collection("GemmPath")]   // the model test swaps Backend.Current, which every layer reads
public class KerasLossGoldenTests
{
    /// <summary>Fixture case (without "loss_") and the loss object that Keras would be compiled with.</summary>
    internal static Loss For(string name) => name switch
    {
        "categorical_crossentropy_from_logits" or "categorical_crossentropy_from_logits_wide" => new CategoricalCrossentropy(fromLogits: true),
        "categorical_crossentropy_from_logits_ls" => new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1),
        "categorical_crossentropy_ls" or "categorical_crossentropy_unnormalized_ls" => new CategoricalCrossentropy(labelSmoothing: 0.1),
        "categorical_crossentropy_unnormalized" => new CategoricalCrossentropy(),
        "sparse_categorical_crossentropy_from_logits" or "sparse_categorical_crossentropy_from_logits_wide" => new SparseCategoricalCrossentropy(fromLogits: true),
        "sparse_categorical_crossentropy_unnormalized" => new SparseCategoricalCrossentropy(),
        "binary_crossentropy_from_logits" or "binary_crossentropy_from_logits_wide" => new BinaryCrossentropy(fromLogits: true),
        "binary_crossentropy_from_logits_ls" => new BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1),
        "binary_crossentropy_ls" => new BinaryCrossentropy(labelSmoothing: 0.1),
        "mean_squared_error" => Loss.Get("mse"),
        "mean_absolute_error" => Loss.Get("mae"),
        "huber" => Loss.Get("huber"),
        "hinge" or "hinge_signed" => Loss.Get("hinge"),
        _ => throw new ArgumentException($"no loss for fixture case '{name}'"),
    };

    public static TheoryData<string> Cases => new(
        "categorical_crossentropy_from_logits", "categorical_crossentropy_from_logits_ls", "categorical_crossentropy_from_logits_wide",
        "categorical_crossentropy_ls", "categorical_crossentropy_unnormalized", "categorical_crossentropy_unnormalized_ls",
        "sparse_categorical_crossentropy_from_logits", "sparse_categorical_crossentropy_from_logits_wide",
        "sparse_categorical_crossentropy_unnormalized",
        "binary_crossentropy_from_logits", "binary_crossentropy_from_logits_ls", "binary_crossentropy_from_logits_wide",
        "binary_crossentropy_ls", "mean_squared_error", "mean_absolute_error", "huber", "hinge", "hinge_signed");

    /// <remarks>
    /// PyTorch (make_names_fixtures.py; z uniform in [-3, 3], labels [3, 1, 0, 4], ls = 0.1):
    /// <code>
    /// from_logits:     F.cross_entropy(z, labels or onehot·(1 - ls) + ls/5), F.binary_cross_entropy_with_logits(z, bits·(1 - ls) + ls/2)
    /// probabilities:   Keras' -Σ y log clip(p / Σp, 1e-7, 1 - 1e-7) (p a softmax, or uniform in [0.05, 0.95]: rows sum to ~2.5),
    ///                  F.binary_cross_entropy(sigmoid(z), bits·(1 - ls) + ls/2)
    /// regression:      F.mse_loss, F.l1_loss, F.huber_loss(delta=1); hinge: clamp(1 - (2·bits - 1)·p, min=0).mean()
    /// </code>
    /// </remarks>
    [Theory]
    [MemberData(nameof(Cases))]
    public void ValueAndGradientMatchPyTorch(string name)
    {
        var c = TorchFixtures.Case("loss_" + name, "names");
        var (input, targets) = (c.Tensor("input"), c.Tensor("targets"));
        var grad = new Tensor(input.ShapeArray);
        double value = For(name).Compute(input, null, targets, grad.Span);
        Assert.Equal(c.Scalar("loss"), value, 1e-5 * Math.Max(1, Math.Abs(c.Scalar("loss"))));
        c.AssertMatches("grad", grad, rtol: 1e-4, atol: 1e-6);
    }

    /// <summary>
    /// The same cases as the loss of a model whose one layer passes its input through (Dense with an identity kernel and
    /// no activation), trained one step on each backend: the loss is PyTorch's, and the weight gradients are the ones
    /// PyTorch's dLoss/dinput G gives, dKernel = xᵀ·G and dBias = Σ_rows G.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void InsideAModelOnBothBackends(string name)
    {
        var c = TorchFixtures.Case("loss_" + name, "names");
        var (x, targets, g) = (c.Tensor("input"), c.Tensor("targets"), c.Tensor("grad"));
        int n = x.Dim(0), d = x.Dim(1);
        var dKernel = new Tensor(d, d);
        var dBias = new Tensor(d);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                dBias[j] += g[i, j];
                for (int k = 0; k < d; k++) dKernel[k, j] += x[i, k] * g[i, j];
            }
        IBackend saved = Backend.Current;
        try
        {
            foreach (var backend in new IBackend[] { Backend.Cpu, new ReferenceBackend() })
            {
                Backend.Current = backend;
                var model = new Sequential(new Dense(d, inputDim: d));
                var kernel = model.Parameters.Single(p => p.Name.EndsWith("kernel")).Value;
                kernel.Span.Clear();
                for (int j = 0; j < d; j++) kernel[j, j] = 1f;
                model.Compile(new SGD(), For(name));
                var step = model.ComputeGradients(x, targets);
                string where = $"{name} on {backend.GetType().Name}";
                Assert.True(Math.Abs(step.Loss - c.Scalar("loss")) <= 1e-5 * Math.Max(1, Math.Abs(c.Scalar("loss"))),
                    $"{where}: loss {step.Loss}, PyTorch {c.Scalar("loss")}");
                c.AssertMatches($"dKernel ({where})", dKernel.Span, step.Gradients.Single(w => w.Weight.Name.EndsWith("kernel")).Gradient.Span, 1e-4, 1e-6);
                c.AssertMatches($"dBias ({where})", dBias.Span, step.Gradients.Single(w => w.Weight.Name.EndsWith("bias")).Gradient.Span, 1e-4, 1e-6);
            }
        }
        finally { Backend.Current = saved; }
    }

    /// <summary>
    /// Keras 3 divides probabilities by their row sum before the log: for rows summing to ~2.5 its loss is far from
    /// -Σ y log p (which the loss computed before this rule), so the golden above tells the two apart.
    /// </summary>
    [Fact]
    public void UnnormalizedProbabilitiesAreDividedByTheirRowSum()
    {
        var c = TorchFixtures.Case("loss_categorical_crossentropy_unnormalized", "names");
        var (p, y) = (c.Tensor("input"), c.Tensor("targets"));
        double plain = 0;
        for (int i = 0; i < p.Dim(0); i++)
            for (int j = 0; j < p.Dim(1); j++) plain -= y[i, j] * Math.Log(p[i, j]) / p.Dim(0);
        double sums = 0;
        for (int i = 0; i < p.Dim(0); i++)
            for (int j = 0; j < p.Dim(1); j++) sums += p[i, j] / p.Dim(0);
        Assert.InRange(sums, 2.0, 3.0);
        double keras = new CategoricalCrossentropy().Compute(p, null, y, new float[p.Size]);
        Assert.Equal(c.Scalar("loss"), keras, 1e-5);
        Assert.True(keras - plain > 0.5, $"Keras' loss {keras} should exceed -Σ y log p = {plain} by about log 2.5.");
    }
}
