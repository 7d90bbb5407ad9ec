using DeepSharp.Backends;
using DeepSharp.Backends.Reference;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Tests.Layers;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Backends;

/// <summary>
/// A whole model on the reference backend against the same model on the CPU backend: the loss, every weight's gradient
/// and the weights after a few optimizer steps. The CPU side fuses a first convolution with the max pooling after it
/// (the model asks the backend for that pattern) and the reference does not, so the fusion is checked here end to end.
/// </summary>
[Collection("GemmPath")]   // it swaps Backend.Current, which every layer reads
public class ModelParityTests
{
    private static Sequential Net()
    {
        var model = new Sequential(
            new Conv2D(16, (3, 3), activation: "relu", inputShape: (12, 12, 1)),
            new MaxPooling2D((2, 2)),
            new Conv2D(8, (3, 3), padding: "same", activation: "relu"),
            new BatchNormalization(),
            new Flatten(),
            new Dropout(0.25, seed: 5),
            new Dense(10, activation: "softmax"));
        LayerGradientCheck.Reinitialize(model.Parameters, 11);
        model.Compile(new SGD(learningRate: 0.1), "categorical_crossentropy");   // SGD: RMSprop would turn tiny gradient differences into full steps
        return model;
    }

    [Fact]
    public void ATrainingStepMatchesTheReferenceBackend()
    {
        var x = Random(1, [7, 12, 12, 1], 0f, 1f);
        var y = new Tensor(7, 10);
        for (int i = 0; i < 7; i++) y[i, (3 * i) % 10] = 1f;
        var (cpu, reference) = (Net(), Net());
        var cpuStep = cpu.ComputeGradients(x, y);
        IBackend saved = Backend.Current;
        Backend.Current = new ReferenceBackend();
        try
        {
            var refStep = reference.ComputeGradients(x, y);
            Assert.Equal(refStep.Loss, cpuStep.Loss, 4);
            for (int i = 0; i < refStep.Gradients.Count; i++)
                ParityTests.AssertClose(refStep.Gradients[i].Gradient, cpuStep.Gradients[i].Gradient, $"gradient of {refStep.Gradients[i].Weight.Name}", 1e-3);
            for (int s = 0; s < 3; s++) reference.TrainStep(x, y);
        }
        finally { Backend.Current = saved; }
        for (int s = 0; s < 3; s++) cpu.TrainStep(x, y);
        for (int i = 0; i < cpu.Parameters.Count; i++)
            ParityTests.AssertClose(reference.Parameters[i].Value, cpu.Parameters[i].Value, $"{cpu.Parameters[i].Name} after 3 steps", 1e-3);
    }
}
