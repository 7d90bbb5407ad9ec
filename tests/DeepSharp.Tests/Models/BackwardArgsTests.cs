using DeepSharp.Gradients;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Layers;

namespace DeepSharp.Tests.Models;

/// <summary>
/// The model steers layers through the arguments of each backward call (<see cref="BackwardArgs"/>), not flags: a
/// gradient with respect to inputs or activations leaves every weight gradient as it was (layers of a nested model,
/// a BatchNormalization that reads <c>ComputeWeightGradients</c>, and a user layer included), and the next training
/// step computes them again.
/// </summary>
public class BackwardArgsTests
{
    [Fact]
    public void GradientLeavesWeightGradientsAloneAndTheNextStepWritesThemAgain()
    {
        var inputs = new Input(6, 6, 2);
        var x = new Conv2D(3, (3, 3), activation: "relu", name: "ba_conv").Call(inputs);
        x = new BatchNormalization(name: "ba_bn").Call(x);
        x = new UserScale(name: "ba_scale").Call(x);
        var head = new Sequential(new Flatten(), new Dense(4, activation: "softmax", name: "ba_dense"));
        var model = new Model(inputs, head.Call(x));
        LayerGradientCheck.Reinitialize(model.Parameters, 5);
        model.Compile("sgd", "categorical_crossentropy");
        var xb = new Tensor(3, 6, 6, 2);
        Rng.Uniform(new System.Random(3), xb.Span, -1f, 1f);
        var yb = new Tensor(3, 4);
        yb[0, 1] = yb[1, 3] = yb[2, 0] = 1f;

        var (_, gradients) = model.ComputeGradients(xb, yb);
        var before = gradients.Select(g => g.Gradient.Span.ToArray()).ToList();
        Assert.Equal(7, before.Count);   // conv (2), BN gamma/beta (2), the user layer (1), dense (2)
        Assert.All(before, g => Assert.Contains(g, v => v != 0f));

        model.Gradient(xb, Objective.ClassScore(2));
        model.Gradient(xb, Objective.ClassScore(1), withRespectTo: model.GetLayer("ba_bn"));
        model.Gradient(xb, Objective.ChannelMean(model.GetLayer("ba_conv"), 0), training: true);
        for (int p = 0; p < before.Count; p++)
            Assert.Equal(before[p], gradients[p].Gradient.Span.ToArray());

        foreach (var g in gradients) g.Gradient.Span.Clear();
        model.ComputeGradients(xb, yb);
        for (int p = 0; p < before.Count; p++)
            Assert.Equal(before[p], gradients[p].Gradient.Span.ToArray());
    }

    /// <summary>y = x ⊙ alpha per channel, written as a user would (the public Backward and ComputeWeightGradients).</summary>
    private sealed class UserScale(string? name = null) : SingleInputLayer(name)
    {
        private Parameter? _alpha;
        private Tensor? _x, _y, _dx;

        protected override int[] OutputShape(int[] input) => input;

        protected override void Build(int[] input) => _alpha = AddWeight("alpha", [input[^1]], "ones");

        public override Tensor Forward(Tensor x, bool training)
        {
            _x = x;
            Tensor.Ensure(ref _y, x.Shape);
            int c = _alpha!.Value.Size;
            for (int i = 0; i < x.Size; i++) _y.Span[i] = x.Span[i] * _alpha.Value.Span[i % c];
            return _y;
        }

        public override void Backward(Tensor dy, bool needInputGradients)
        {
            int c = _alpha!.Value.Size;
            if (ComputeWeightGradients)
            {
                _alpha.Grad.Span.Clear();
                for (int i = 0; i < dy.Size; i++) _alpha.Grad.Span[i % c] += dy.Span[i] * _x!.Span[i];
            }
            InputGradient = null;
            if (!needInputGradients) return;
            Tensor.Ensure(ref _dx, _x!.Shape);
            for (int i = 0; i < dy.Size; i++) _dx.Span[i] = dy.Span[i] * _alpha.Value.Span[i % c];
            InputGradient = _dx;
        }
    }
}
