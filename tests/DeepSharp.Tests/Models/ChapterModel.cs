using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Tests.Models;

/// <summary>The chapter's MNIST convnet, shared by the tests.</summary>
internal static class ChapterModel
{
    public static Sequential Create() => new(
        new Conv2D(32, (3, 3), activation: "relu", inputShape: (28, 28, 1)),
        new MaxPooling2D((2, 2)),
        new Conv2D(64, (3, 3), activation: "relu"),
        new MaxPooling2D((2, 2)),
        new Conv2D(64, (3, 3), activation: "relu"),
        new Flatten(),
        new Dense(64, activation: "relu"),
        new Dense(10, activation: "softmax"));
}
