using DeepSharp.Data;
using static DeepSharp.Utils;

namespace DeepSharp.Tests.Models;

/// <summary>The chapter's program end to end on the real MNIST sample shipped with the library.</summary>
public class MnistSampleTrainingTests
{
    [Fact]
    public void ChapterRecipeReaches95PercentOnTheSample()
    {
        Rng.SetSeed(1);
        var model = ChapterModel.Create();
        var (train, test) = Mnist.LoadSample();
        model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var history = model.Fit(train.Images / 255f, ToCategorical(train.Labels), epochs: 5, batchSize: 64, verbose: 0);
        var (loss, acc) = model.Evaluate(test.Images / 255f, ToCategorical(test.Labels), verbose: 0);

        Assert.True(acc >= 0.95, $"test accuracy {acc:F4} < 0.95 (loss {loss:F4})");
        Assert.Equal(5, history["loss"].Count);
        Assert.True(history["loss"][4] < history["loss"][0]);

        // Predict agrees with Evaluate's accuracy.
        var predicted = model.Predict(test.Images / 255f, batchSize: 100).ArgMax();
        double predictAcc = predicted.Zip(test.Labels).Count(p => p.First == p.Second) / (double)test.Count;
        Assert.Equal(acc, predictAcc, 6);
    }
}
