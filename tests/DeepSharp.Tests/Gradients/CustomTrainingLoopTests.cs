using DeepSharp.Gradients;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Tests.Layers;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Gradients;

/// <summary>ComputeGradients + ApplyGradients (a custom training loop) against Fit's own step.</summary>
public class CustomTrainingLoopTests
{
    private static Sequential Net(int seed)
    {
        var model = new Sequential(
            new Conv2D(4, (3, 3), activation: "relu", inputShape: (8, 8, 1)),
            new MaxPooling2D((2, 2)),
            new BatchNormalization(),
            new Flatten(),
            new Dense(6, activation: "relu"),
            new Dense(3, activation: "softmax"));
        LayerGradientCheck.Reinitialize(model.Parameters, seed);
        model.Compile(new RMSprop(learningRate: 1e-2f), "categorical_crossentropy");
        return model;
    }

    private static (Tensor X, Tensor Y) Data()
    {
        var x = Random(1, [16, 8, 8, 1], 0f, 1f);
        var y = new Tensor(16, 3);
        for (int i = 0; i < 16; i++) y[i, i % 3] = 1f;
        return (x, y);
    }

    [Fact]
    public void ComputeGradientsThenApplyGradientsEqualsOneFitStep()
    {
        var (x, y) = Data();
        var fitted = Net(5);
        var custom = Net(5);
        Assert.Equal(fitted.Parameters.Select(p => Copy(p.Value)), custom.Parameters.Select(p => Copy(p.Value)));

        var history = fitted.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);

        var before = custom.Parameters.Select(p => Copy(p.Value)).ToList();
        var (loss, gradients) = custom.ComputeGradients(x, y);
        // Nothing applied yet, apart from batch norm's moving statistics (a forward pass in training mode).
        for (int i = 0; i < before.Count; i++)
            if (custom.Parameters[i].IsTrainableWeight) Assert.Equal(before[i], Copy(custom.Parameters[i].Value));
        Assert.Equal(custom.Parameters.Count(p => p.Trainable), gradients.Count);
        Assert.All(gradients, g => Assert.Equal(g.Weight.Value.ShapeArray, g.Gradient.ShapeArray));
        Assert.Contains(gradients, g => g.Gradient.Span.ToArray().Any(v => v != 0));
        custom.Optimizer!.ApplyGradients(gradients);

        Assert.Equal(history["loss"][0], loss, 6);
        for (int i = 0; i < fitted.Parameters.Count; i++)
            Assert.Equal(Copy(fitted.Parameters[i].Value), Copy(custom.Parameters[i].Value));
        Assert.Equal(fitted.Optimizer!.Iterations, custom.Optimizer.Iterations);
    }

    [Fact]
    public void ApplyGradientsTakesUserTensorsAndChecksTheirShapes()
    {
        var model = Net(6);
        var w = model.Parameters[0];
        var g = new Tensor(w.Value.ShapeArray);
        g.Span.Fill(1f);
        var sgd = new SGD(learningRate: 0.5f);
        var before = Copy(w.Value);
        sgd.ApplyGradients([new WeightGradient(w, g)]);
        Assert.Equal(before.Select(v => v - 0.5f), Copy(w.Value));

        var wrong = Assert.Throws<ArgumentException>(() => sgd.ApplyGradients([new WeightGradient(w, new Tensor(3))]));
        Assert.Contains(w.Path, wrong.Message);
    }

    [Fact]
    public void ComputeGradientsNeedsALoss()
    {
        var model = new Sequential(new Dense(2, inputDim: 3));
        var ex = Assert.Throws<InvalidOperationException>(() => model.ComputeGradients(new Tensor(1, 3), new Tensor(1, 2)));
        Assert.Contains("Compile", ex.Message);
    }
}

/// <summary>Fit's step is ComputeGradients + ApplyGradients and allocates nothing beyond what the forward pass, the backward pass and the optimizer's update allocate.</summary>
public class TrainStepAllocationTests
{
    [Fact]
    public void ATrainingStepAllocatesNothingBeyondItsParts()
    {
        var model = new Sequential(
            new Conv2D(8, (3, 3), activation: "relu", inputShape: (12, 12, 1)),
            new MaxPooling2D((2, 2)),
            new Flatten(),
            new Dense(3, activation: "softmax"));
        model.Compile(new RMSprop(), "categorical_crossentropy");
        var x = Random(1, [4, 12, 12, 1], 0f, 1f);
        var y = new Tensor(4, 3);
        for (int i = 0; i < 4; i++) y[i, i % 3] = 1f;
        for (int i = 0; i < 3; i++) model.TrainStep(x, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) model.ComputeGradients(x, y);
        long compute = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) model.RunForward(x, true);
        long forward = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        var seed = new Tensor(4, 3);
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) model.Graph.Backward(seed, model.Nodes.Count - 1, false, -1, seedIsLogitGradient: true);
        long backward = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        var (_, gradients) = model.ComputeGradients(x, y);
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) model.Optimizer!.ApplyGradients(gradients);
        long apply = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) model.TrainStep(x, y);
        long step = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        // The ops' own per-call costs (thread-pool closures) are what remains; splitting the step adds nothing to them.
        // A few hundred bytes of slack: the JIT's tier-up and the thread pool can allocate on this thread now and then
        // (seen under heavy machine load); a step that allocated a buffer per weight would still fail by kilobytes.
        const long slack = 512;
        Assert.True(Math.Abs(compute - (forward + backward)) <= slack && Math.Abs(step - (compute + apply)) <= slack, $"per step: forward {forward}, backward {backward}, ComputeGradients {compute} bytes, ApplyGradients {apply}, TrainStep {step}");
    }
}

/// <summary><c>ComputeGradients(x, y, training: false)</c>: Keras' GradientTape around <c>model(x, training=False)</c>.</summary>
public class InferenceModeGradientTests
{
    [Fact]
    public void InferenceModeGradientsAreDeterministicLeaveTheStatisticsAndMatchFiniteDifferences()
    {
        var model = new Sequential(
            new Conv2D(4, (3, 3), activation: "tanh", inputShape: (6, 6, 2)),   // smooth: finite differences meet no kink
            new BatchNormalization(),
            new Dropout(0.5),
            new Flatten(),
            new Dense(3, activation: "softmax"));
        LayerGradientCheck.Reinitialize(model.Parameters, 7);
        model.Compile(new SGD(), "categorical_crossentropy");
        var x = Random(2, [5, 6, 6, 2], 0f, 1f);
        var y = new Tensor(5, 3);
        for (int i = 0; i < 5; i++) y[i, i % 3] = 1f;
        model.Fit(x, y, epochs: 2, batchSize: 5, verbose: 0);   // moving statistics away from their start
        var bn = model.Layers.OfType<BatchNormalization>().Single();
        var stats = bn.Parameters.Where(p => !p.Trainable).Select(p => p.Value.Span.ToArray()).ToList();

        var first = model.ComputeGradients(x, y, training: false);
        var g1 = first.Gradients.Select(g => g.Gradient.Span.ToArray()).ToList();
        var second = model.ComputeGradients(x, y, training: false);
        Assert.Equal(first.Loss, second.Loss);                  // no dropout, no batch statistics: deterministic
        for (int i = 0; i < g1.Count; i++) Assert.Equal(g1[i], second.Gradients[i].Gradient.Span.ToArray());
        var after = bn.Parameters.Where(p => !p.Trainable).Select(p => p.Value.Span.ToArray()).ToList();
        for (int i = 0; i < stats.Count; i++) Assert.Equal(stats[i], after[i]);   // moving statistics untouched

        // Finite differences of the inference loss, on a few weights of every trainable parameter (gamma and beta too).
        foreach (var (weight, gradient) in first.Gradients.Select((g, i) => (g.Weight, g1[i])))
            for (int k = 0; k < weight.Value.Size; k += Math.Max(1, weight.Value.Size / 3))
            {
                float saved = weight.Value.Data[k];
                const float eps = 1e-3f;
                weight.Value.Data[k] = saved + eps;
                double plus = model.ComputeGradients(x, y, training: false).Loss;
                weight.Value.Data[k] = saved - eps;
                double minus = model.ComputeGradients(x, y, training: false).Loss;
                weight.Value.Data[k] = saved;
                double numeric = (plus - minus) / (2 * eps);
                Assert.True(Math.Abs(numeric - gradient[k]) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"{weight.Name}[{k}]: backprop {gradient[k]}, finite differences {numeric}");
            }
        // Training mode differs (batch statistics, dropout): the flag is not ignored.
        Assert.NotEqual(first.Loss, model.ComputeGradients(x, y).Loss);
    }
}
