using DeepSharp.Gradients;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Layers;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Gradients;

/// <summary>
/// The public gradient API through whole models (Sequential, functional with a residual Add, a nested base), each
/// compiled with a loss that fuses its softmax: input gradients of a layer-mean and of a class-score objective, and
/// gradients with respect to an intermediate layer's output, against central differences of an objective computed
/// independently (from the forward pass's values, or by running the downstream layers by hand).
/// </summary>
public class ModelGradientApiTests
{
    private const float H = 1e-2f;
    private const double Rtol = 1e-2, Atol = 2e-3;

    private static Sequential SequentialNet()
    {
        var model = new Sequential(
            new Conv2D(4, (3, 3), activation: "tanh", inputShape: (7, 7, 2)),
            new AveragePooling2D((2, 2)),
            new Conv2D(5, (2, 2), activation: "tanh"),
            new Flatten(),
            new Dense(3, activation: "softmax"));
        LayerGradientCheck.Reinitialize(model.Parameters, 31);
        model.Compile("rmsprop", "categorical_crossentropy");
        Assert.True(model.LossReadsLogits);
        return model;
    }

    private static Model ResidualNet()
    {
        var inputs = new Input(6, 6, 2);
        var x = new Conv2D(3, (3, 3), padding: "same", activation: "tanh", name: "res_conv1").Call(inputs);
        x = new BatchNormalization(name: "res_bn").Call(x);
        var shortcut = x;
        x = new Conv2D(3, (3, 3), padding: "same", activation: "sigmoid", name: "res_conv2").Call(x);
        x = new Add(name: "res_add").Call(x, shortcut);
        x = new GlobalAveragePooling2D().Call(x);
        var model = new Model(inputs, new Dense(4, activation: "softmax", name: "res_out").Call(x));
        LayerGradientCheck.Reinitialize(model.Parameters, 32);
        var bn = (BatchNormalization)model.GetLayer("res_bn");
        Rng.Uniform(new System.Random(8), bn.Parameters[2].Value.Span, -0.5f, 0.5f);
        Rng.Uniform(new System.Random(9), bn.Parameters[3].Value.Span, 0.3f, 2f);
        model.Compile("sgd", "categorical_crossentropy");
        return model;
    }

    private static (Sequential Model, Model Base, Conv2D Inner) NestedNet()
    {
        var baseInput = new Input(6, 6, 2);
        var inner1 = new Conv2D(3, (3, 3), activation: "tanh", name: "base_conv1");
        var inner2 = new Conv2D(4, (2, 2), activation: "tanh", name: "base_conv2");
        var convBase = new Model(baseInput, inner2.Call(inner1.Call(baseInput)), name: "nested_base");
        var model = new Sequential(convBase, new Flatten(), new Dense(3, activation: "softmax"));
        LayerGradientCheck.Reinitialize(model.Parameters, 33);
        model.Compile("rmsprop", "categorical_crossentropy");
        return (model, convBase, inner2);
    }

    /// <summary>The sum over the batch of the logit of <paramref name="c"/>, from a fresh forward pass.</summary>
    private static double LogitSum(Model model, Tensor x, Dense output, int c)
    {
        model.RunForward(x, training: false);
        var z = output.Logits!;
        double s = 0;
        for (int i = 0; i < z.Dim(0); i++) s += z[i, c];
        return s;
    }

    /// <summary>The sum over the batch of the mean of one channel of a layer's output, from a fresh forward pass.</summary>
    private static double ChannelMeanSum(Model model, Tensor x, Func<Tensor> layerOutput, int channel)
    {
        model.RunForward(x, training: false);
        var y = layerOutput();
        int c = y.Dim(-1), n = y.Dim(0), per = y.Size / n;
        double s = 0;
        for (int i = 0; i < y.Size; i += c) s += y.Data[i + channel];
        return s / (per / c);
    }

    [Fact]
    public void SequentialInputGradientsOfALayerMeanAndAClassScore()
    {
        var model = SequentialNet();
        var conv2 = model.Layers[2];
        var dense = (Dense)model.Layers[^1];
        var x = Random(1, [2, 7, 7, 2]);

        var mean = model.Gradient(x, Objective.ChannelMean(conv2, 3));
        Assert.Equal(x.ShapeArray, mean.Gradient.ShapeArray);
        Assert.Equal(ChannelMeanSum(model, x, () => model.Graph.ValueAt(3)!, 3), mean.Objective.Sum(), 5);
        Check("sequential: d mean(conv channel 3)/d input", x, () => ChannelMeanSum(model, x, () => model.Graph.ValueAt(3)!, 3), Copy(mean.Gradient), H, Rtol, Atol);

        var score = model.Gradient(x, Objective.ClassScore(2));
        Assert.Equal(LogitSum(model, x, dense, 2), score.Objective.Sum(), 5);
        Check("sequential: d logit 2/d input", x, () => LogitSum(model, x, dense, 2), Copy(score.Gradient), H, Rtol, Atol);
    }

    [Fact]
    public void TheFusedSoftmaxDoesNotLeakIntoAGradientOfTheProbabilities()
    {
        // After Compile the last layer's softmax is fused with the loss; a gradient of the model's *output* (the
        // probabilities) must still go through the softmax's derivative.
        var model = SequentialNet();
        var x = Random(2, [1, 7, 7, 2]);
        var seed = Tensor.FromArray([0f, 1f, 0f], 3);
        var r = model.Gradient(x, Objective.FromSeed(seed));
        double P() => model.RunForward(x, training: false)[0, 1];
        Check("sequential: d softmax probability 1/d input", x, P, Copy(r.Gradient), H, Rtol, Atol);
    }

    [Fact]
    public void ResidualInputGradientsOfALayerMeanAndAClassScore()
    {
        var model = ResidualNet();
        var add = model.GetLayer("res_add");
        var output = (Dense)model.GetLayer("res_out");
        var x = Random(3, [2, 6, 6, 2]);
        int addNode = model.NodeOf(add);

        var mean = model.Gradient(x, Objective.ChannelMean(add, 1));
        Check("residual: d mean(add channel 1)/d input", x, () => ChannelMeanSum(model, x, () => model.Graph.ValueAt(addNode)!, 1), Copy(mean.Gradient), H, Rtol, Atol);

        var score = model.Gradient(x, Objective.ClassScore(0));
        Check("residual: d logit 0/d input", x, () => LogitSum(model, x, output, 0), Copy(score.Gradient), H, Rtol, Atol);
    }

    [Fact]
    public void NestedBaseInputGradientsOfAnInnerLayerMeanAndAClassScore()
    {
        var (model, convBase, inner) = NestedNet();
        var dense = (Dense)model.Layers[^1];
        var x = Random(4, [2, 6, 6, 2]);
        int innerNode = convBase.NodeOf(convBase.GetLayer("base_conv1"));

        var mean = model.Gradient(x, Objective.ChannelMean(convBase.GetLayer("base_conv1"), 2));
        Check("nested: d mean(inner conv channel 2)/d input", x, () => ChannelMeanSum(model, x, () => convBase.Graph.ValueAt(innerNode)!, 2), Copy(mean.Gradient), H, Rtol, Atol);

        var score = model.Gradient(x, Objective.ClassScore(1));
        Check("nested: d logit 1/d input", x, () => LogitSum(model, x, dense, 1), Copy(score.Gradient), H, Rtol, Atol);
    }

    [Fact]
    public void GradientWithRespectToAnIntermediateOutputMatchesTheDownstreamLayers()
    {
        var model = SequentialNet();
        var conv2 = model.Layers[2];
        var x = Random(5, [2, 7, 7, 2]);
        var r = model.Gradient(x, Objective.ClassScore(1), withRespectTo: conv2);
        Assert.Equal(new[] { 2, 1, 1, 5 }, r.Value.ShapeArray);
        Assert.Equal(r.Value.ShapeArray, r.Gradient.ShapeArray);

        // Downstream of conv2: Flatten, Dense (logits read after the forward).
        var a = r.Value.Clone();
        var flatten = model.Layers[3];
        var dense = (Dense)model.Layers[4];
        double Downstream()
        {
            dense.Forward([flatten.Forward([a], false)], false);
            var z = dense.Logits!;
            return z[0, 1] + z[1, 1];
        }
        Check("sequential: d logit 1/d conv2 output", a, Downstream, Copy(r.Gradient), H, Rtol, Atol);
    }

    [Fact]
    public void GradientWithRespectToALayerInsideANestedBase()
    {
        var (model, _, inner) = NestedNet();
        var x = Random(6, [2, 6, 6, 2]);
        var r = model.Gradient(x, Objective.ClassScore(0), withRespectTo: inner);
        Assert.Equal(new[] { 2, 3, 3, 4 }, r.Gradient.ShapeArray);
        var a = r.Value.Clone();
        var flatten = model.Layers[1];
        var dense = (Dense)model.Layers[2];
        double Downstream()
        {
            dense.Forward([flatten.Forward([a], false)], false);
            return dense.Logits![0, 0] + dense.Logits![1, 0];
        }
        Check("nested: d logit 0/d inner conv output", a, Downstream, Copy(r.Gradient), H, Rtol, Atol);
    }

    [Fact]
    public void WeightGradientsAndOptimizerStateAreLeftAlone()
    {
        var model = SequentialNet();
        foreach (var p in model.Parameters) p.Grad.Span.Fill(42f);
        long iterations = model.Optimizer!.Iterations;
        var weights = model.Parameters.Select(p => Copy(p.Value)).ToList();
        model.Gradient(Random(7, [2, 7, 7, 2]), Objective.ClassScore(0), withRespectTo: model.Layers[0]);
        model.Gradient(Random(7, [2, 7, 7, 2]), Objective.ChannelMean(model.Layers[2], 0));
        Assert.All(model.Parameters, p => Assert.True(p.Grad.Span.ToArray().All(v => v == 42f), $"{p.Path}'s gradient was written"));
        Assert.Equal(iterations, model.Optimizer.Iterations);
        Assert.Equal(weights, model.Parameters.Select(p => Copy(p.Value)).ToList());
    }

    [Fact]
    public void BadRequestsGetOneClearErrorEach()
    {
        var model = SequentialNet();
        var x = Random(8, [1, 7, 7, 2]);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => model.Gradient(x, Objective.ClassScore(3)));
        Assert.Contains("3 classes (0–2)", range.Message);
        var channel = Assert.Throws<ArgumentOutOfRangeException>(() => model.Gradient(x, Objective.ChannelMean(model.Layers[0], 9)));
        Assert.Contains("4 channels", channel.Message);
        var stranger = new Dense(2);
        var unknown = Assert.Throws<ArgumentException>(() => model.Gradient(x, Objective.ChannelMean(stranger, 0)));
        Assert.Contains(model.Layers[0].Name, unknown.Message);
        var order = Assert.Throws<ArgumentException>(() => model.Gradient(x, Objective.ChannelMean(model.Layers[0], 0), withRespectTo: model.Layers[2]));
        Assert.Contains("does not depend", order.Message);
    }
}

/// <summary>A binary classifier (one sigmoid unit): class 1's score is the logit z, class 0's is −z.</summary>
public class BinaryClassScoreTests
{
    [Fact]
    public void TheTwoClassesOfASigmoidUnitAreTheLogitAndItsNegative()
    {
        var model = new Sequential(
            new Conv2D(3, (3, 3), activation: "tanh", inputShape: (5, 5, 1)),
            new Flatten(),
            new Dense(1, activation: "sigmoid"));
        LayerGradientCheck.Reinitialize(model.Parameters, 41);
        model.Compile("rmsprop", "binary_crossentropy");
        var dense = (Dense)model.Layers[^1];
        var x = Random(9, [2, 5, 5, 1]);
        var one = model.Gradient(x, Objective.ClassScore(1));
        var zero = model.Gradient(x, Objective.ClassScore(0));
        double Z() { model.RunForward(x, training: false); return dense.Logits![0, 0] + dense.Logits![1, 0]; }
        Check("sigmoid: d logit/d input", x, Z, Copy(one.Gradient), 1e-2f, 1e-2, 2e-3);
        Assert.Equal(Copy(one.Gradient).Select(v => -v), Copy(zero.Gradient));
        Assert.Equal(-one.Objective[0], zero.Objective[0]);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => model.Gradient(x, Objective.ClassScore(2)));
        Assert.Contains("2 classes (0–1)", range.Message);
    }
}
