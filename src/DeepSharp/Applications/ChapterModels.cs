using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Applications;

/// <summary>
/// The convnets of *Deep Learning with R*, chapter 5, ready-made (the CLI, the benchmark and the tests use them;
/// the examples spell them out as the book does).
/// </summary>
/// <example><code>
/// var model = ChapterModels.MnistConvnet();          // 93,322 parameters
/// var cats = ChapterModels.SmallConvnet(dropout: true); // 3,453,121 parameters
/// </code></example>
public static class ChapterModels
{
    /// <summary>Listing 5.1-5.2: three 3×3 convolutions with max pooling, then Dense(64) and Dense(10, softmax).</summary>
    public static Sequential MnistConvnet() => new(
        new Conv2D(32, (3, 3), activation: "relu", inputShape: (28, 28, 1)),
        new MaxPooling2D((2, 2)),
        new Conv2D(64, (3, 3), activation: "relu"),
        new MaxPooling2D((2, 2)),
        new Conv2D(64, (3, 3), activation: "relu"),
        new Flatten(),
        new Dense(64, activation: "relu"),
        new Dense(10, activation: "softmax"));

    /// <summary>
    /// Listing 5.5 (and 5.12 with <paramref name="dropout"/>): four conv/pool stages 32-64-128-128 on
    /// size×size×3 photos, Dense(512), then a sigmoid unit for two classes or a softmax for more.
    /// </summary>
    public static Sequential SmallConvnet(int size = 150, int classes = 2, bool dropout = false)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), $"SmallConvnet needs at least 2 classes, got {classes}.");
        var model = new Sequential(
            new Conv2D(32, (3, 3), activation: "relu", inputShape: (size, size, 3)),
            new MaxPooling2D((2, 2)),
            new Conv2D(64, (3, 3), activation: "relu"),
            new MaxPooling2D((2, 2)),
            new Conv2D(128, (3, 3), activation: "relu"),
            new MaxPooling2D((2, 2)),
            new Conv2D(128, (3, 3), activation: "relu"),
            new MaxPooling2D((2, 2)),
            new Flatten());
        if (dropout) model.Add(new Dropout(0.5));
        model.Add(new Dense(512, activation: "relu"));
        model.Add(classes == 2 ? new Dense(1, activation: "sigmoid") : new Dense(classes, activation: "softmax"));
        return model;
    }
}
