using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Saving;

namespace DeepSharp.UserCode.Tests;

/// <summary>A layer written outside the library trains, saves and loads like a built-in one.</summary>
public class CustomLayerTests
{
    private static Tensor Random(int seed, params int[] shape)
    {
        var r = new System.Random(seed);
        var t = new Tensor(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)(r.NextDouble() * 2 - 1);
        return t;
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        var layer = new ScaleShift(initialScale: 0.7f);
        var x = Random(1, 3, 4, 5);
        layer.Call(new Input(4, 5));
        // random gamma/beta so that the check does not sit at a special point
        Random(2, 5).Span.CopyTo(layer.Gamma.Value.Span);
        Random(3, 5).Span.CopyTo(layer.Beta.Value.Span);
        var dy = Random(4, 3, 4, 5);
        layer.Forward(x, training: true);
        layer.Backward(dy, needInputGradients: true);
        var dx = layer.InputGradient!.Clone();
        var dGamma = layer.Gamma.Grad.Clone();
        double L() { var y = layer.Forward(x, true).Span; double s = 0; for (int i = 0; i < y.Length; i++) s += y[i] * dy.Span[i]; return s; }
        void Check(Tensor wrt, Tensor analytic)
        {
            for (int i = 0; i < wrt.Size; i++)
            {
                float keep = wrt.Span[i];
                wrt.Span[i] = keep + 1e-2f; double up = L();
                wrt.Span[i] = keep - 1e-2f; double down = L();
                wrt.Span[i] = keep;
                Assert.Equal((up - down) / 2e-2, analytic.Span[i], 2);
            }
        }
        Check(x, dx);
        Check(layer.Gamma.Value, dGamma);
    }

    [Fact]
    public void ModelWithCustomLayerTrainsSavesAndLoads()
    {
        LayerRegistry.Register<ScaleShift>();
        var x = Random(5, 64, 6, 6, 1);
        var y = new Tensor(64, 1);
        for (int i = 0; i < 64; i++) y.Span[i] = x.Span.Slice(i * 36, 36).ToArray().Average() > 0 ? 1 : 0;
        var model = new Sequential(
            new Conv2D(4, (3, 3), activation: "relu", inputShape: (6, 6, 1)),
            new ScaleShift(initialScale: 0.5f, name: "scale_shift"),
            new Flatten(),
            new Dense(1, activation: "sigmoid"));
        Assert.Equal(8, model.GetLayer("scale_shift").CountParams());
        model.Compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(x, y, epochs: 8, batchSize: 16, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], $"loss went from {history["loss"][0]} to {history["loss"][^1]}");
        var scale = (ScaleShift)model.GetLayer("scale_shift");
        Assert.NotEqual(0.5f, scale.Gamma.Value.Span[0]);   // the optimizer updated the user's weight

        string path = Path.Combine(Path.GetTempPath(), $"deepsharp-usercode-{Guid.NewGuid():N}.keras");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            var again = Assert.IsType<ScaleShift>(loaded.GetLayer("scale_shift"));
            Assert.Equal(0.5f, again.InitialScale);
            Assert.Equal(scale.Gamma.Value.Span.ToArray(), again.Gamma.Value.Span.ToArray());
            Assert.Equal(scale.Beta.Value.Span.ToArray(), again.Beta.Value.Span.ToArray());
            Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
            // the loaded model is compiled with its optimizer state and keeps training
            loaded.Fit(x, y, epochs: 1, batchSize: 16, verbose: 0);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void FunctionalModelWithCustomLayerRoundTrips()
    {
        LayerRegistry.Register<ScaleShift>();
        var inputs = new Input(8);
        var h = new Dense(8, activation: "relu").Call(inputs);
        var s = new ScaleShift(2f, name: "scaled").Call(h);
        var outputs = new Dense(3, activation: "softmax").Call(new Add().Call(h, s));
        var model = new Model(inputs, outputs);
        var x = Random(6, 10, 8);
        string path = Path.Combine(Path.GetTempPath(), $"deepsharp-usercode-{Guid.NewGuid():N}.keras");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.IsType<ScaleShift>(loaded.GetLayer("scaled"));
            Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void LoadingAnUnregisteredLayerSaysHowToRegisterIt()
    {
        var model = new Sequential(new Dense(4, inputDim: 3), new NeverRegistered(name: "mystery"));
        string path = Path.Combine(Path.GetTempPath(), $"deepsharp-usercode-{Guid.NewGuid():N}.keras");
        try
        {
            model.Save(path);
            var e = Assert.ThrowsAny<Exception>(() => Model.Load(path));
            string message = e.Message + " " + e.InnerException?.Message;
            Assert.Contains("NeverRegistered", message);
            Assert.Contains("LayerRegistry.Register<NeverRegistered>()", message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void AddWeightRefusesDuplicateNamesAndBadShapes()
    {
        var bad = new TwoWeightsNamedAlike();
        var e = Assert.Throws<ArgumentException>(() => bad.Call(new Input(3)));
        Assert.Contains("already has a weight named 'w'", e.Message);
    }

    private sealed class TwoWeightsNamedAlike() : SingleInputLayer(null)
    {
        protected override int[] OutputShape(int[] inputShape) => inputShape;
        protected override void Build(int[] inputShape)
        {
            AddWeight("w", [3], "ones");
            AddWeight("w", [3], "zeros");
        }
        public override Tensor Forward(Tensor x, bool training) => x;
        public override void Backward(Tensor dy, bool needInputGradients) => InputGradient = dy;
    }
}
