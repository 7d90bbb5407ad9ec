using DeepSharp.Layers;
using DeepSharp.Losses;
using DeepSharp.Models;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Layers;

/// <summary>
/// A whole functional model (convolutions, batch norm, a residual Add, pooling, a softmax fused with the loss)
/// checked end to end: the gradient of the loss with respect to the model's input and to a first-layer
/// kernel, from Model.RunForward/RunBackward, against finite differences of the loss.
/// </summary>
public class ModelGradientTests
{
    private static (Model Model, Conv2D First) Build()
    {
        var inputs = new Input(6, 6, 2);
        var first = new Conv2D(4, (3, 3), padding: "same", activation: "tanh");
        var x = first.Call(inputs);
        x = new BatchNormalization().Call(x);
        var shortcut = x;
        x = new Conv2D(4, (3, 3), padding: "same", activation: "sigmoid").Call(x);
        x = new Add().Call(x, shortcut);
        x = new ZeroPadding2D(1).Call(x);
        x = new AveragePooling2D((2, 2)).Call(x);           // (4, 4, 4)
        x = new Conv2D(3, (2, 2), strides: (2, 2), activation: "tanh").Call(x);   // (2, 2, 3)
        x = new Flatten().Call(x);
        var outputs = new Dense(5, activation: "softmax").Call(x);
        var model = new Model(inputs, outputs);
        LayerGradientCheck.Reinitialize(model.Parameters, 21);
        return (model, first);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void InputAndKernelGradientsMatchFiniteDifferences(bool training)
    {
        var (model, first) = Build();
        model.Compile("sgd", "categorical_crossentropy");
        var output = model.Layers[^1];
        Assert.True(model.LossReadsLogits, "the softmax should be fused with categorical_crossentropy");
        if (!training)
        {
            // Inference mode normalizes with the moving statistics: give them values other than 0 and 1.
            var bn = model.Layers.OfType<BatchNormalization>().Single();
            Rng.Uniform(new System.Random(8), bn.Parameters[2].Value.Span, -0.5f, 0.5f);
            Rng.Uniform(new System.Random(9), bn.Parameters[3].Value.Span, 0.3f, 2f);
        }
        var x = Random(1, [3, 6, 6, 2]);
        var targets = new Tensor(3, 5);
        targets[0, 1] = targets[1, 4] = targets[2, 0] = 1f;
        var loss = model.Loss!;
        var scratch = new float[15];
        double L() => loss.Compute(model.RunForward(x, training), output.Logits, targets, scratch);

        var seed = new Tensor(3, 5);   // dLoss/dLogits, as TrainStep computes it
        loss.Compute(model.RunForward(x, training), output.Logits, targets, seed.Span);
        model.Graph.Backward(seed, model.Nodes.Count - 1, needInputGradient: true, forceNode: -1, seedIsLogitGradient: true);
        var dx = Copy(model.Graph.GradientAt(0)!);
        var dKernel = Copy(first.Kernel.Grad);

        Check($"model (training: {training}): d(input)", x, L, dx);
        Check($"model (training: {training}): d(first kernel)", first.Kernel.Value, L, dKernel);
    }

    /// <summary>
    /// Every loss with the output activations it meets: fused when the last layer (a Dense, or an Activation
    /// layer after a linear Dense) ends in the loss's own activation, unfused otherwise.
    /// </summary>
    [Theory]
    [InlineData("categorical_crossentropy", "softmax", false, true)]
    [InlineData("categorical_crossentropy", "softmax", true, true)]
    [InlineData("sparse_categorical_crossentropy", "softmax", false, true)]
    [InlineData("binary_crossentropy", "sigmoid", false, true)]
    [InlineData("binary_crossentropy", "sigmoid", true, true)]
    [InlineData("mean_squared_error", "softmax", false, false)]
    [InlineData("categorical_crossentropy", "sigmoid", false, false)]
    public void LossGradientThroughTheOutputLayerMatchesFiniteDifferences(string lossName, string activation, bool activationLayer, bool fused)
    {
        var inputs = new Input(6);
        var hidden = new Dense(8, activation: "tanh").Call(inputs);
        var outputs = activationLayer
            ? new Activation(activation).Call(new Dense(4).Call(hidden))
            : new Dense(4, activation: activation).Call(hidden);
        var model = new Model(inputs, outputs);
        LayerGradientCheck.Reinitialize(model.Parameters, 4);
        model.Compile(new DeepSharp.Optimizers.SGD(), lossName);
        var last = model.Layers[^1];
        Assert.Equal(fused, model.LossReadsLogits);

        var x = Random(1, [3, 6]);
        var targets = lossName switch
        {
            "sparse_categorical_crossentropy" => Tensor.FromArray([2f, 0f, 3f], 3),
            "binary_crossentropy" => Tensor.FromArray([1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0], 3, 4),
            "categorical_crossentropy" => Tensor.FromArray([0, 1, 0, 0, 0, 0, 0, 1, 0.5f, 0.5f, 0, 0], 3, 4),
            _ => Random(2, [3, 4], 0f, 1f),
        };
        var loss = model.Loss!;
        var scratch = new float[12];
        double L() => loss.Compute(model.RunForward(x, training: true), fused ? last.Logits : null, targets, scratch);
        var seed = new Tensor(3, 4);
        loss.Compute(model.RunForward(x, training: true), fused ? last.Logits : null, targets, seed.Span);
        model.Graph.Backward(seed, model.Nodes.Count - 1, needInputGradient: true, forceNode: -1, seedIsLogitGradient: fused);
        var dx = Copy(model.Graph.GradientAt(0)!);
        var dKernel = Copy(((Dense)model.Layers[0]).Kernel.Grad);

        Check($"{lossName} after {activation} (fused: {fused}): d(input)", x, L, dx);
        Check($"{lossName} after {activation} (fused: {fused}): d(first kernel)", ((Dense)model.Layers[0]).Kernel.Value, L, dKernel);
    }

    [Fact]
    public void ResidualAddSumsTheGradientsOfBothBranches()
    {
        // input → Dense a → (Dense b) + (identity) : d(input of b's branch point) = Wbᵀ dy + dy
        var inputs = new Input(4);
        var a = new Dense(4).Call(inputs);
        var b = new Dense(4).Call(a);
        var model = new Model(inputs, new Add().Call(b, a));
        LayerGradientCheck.Reinitialize(model.Parameters, 3);
        var x = Random(1, [2, 4]);
        var dy = Random(2, [2, 4]);
        model.RunForward(x, training: true);
        model.Graph.Backward(dy, model.Nodes.Count - 1, needInputGradient: true, forceNode: -1);
        var dx = Copy(model.Graph.GradientAt(0)!);
        CheckOp("residual model: d(input)", x, () => model.RunForward(x, training: true), dy, dx);
    }
}
