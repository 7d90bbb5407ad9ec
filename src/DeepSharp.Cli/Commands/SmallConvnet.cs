using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Cli.Commands;

/// <summary>The chapter's small convnet for 150×150 photos (listing 5.5; with Dropout(0.5) as in listing 5.12).</summary>
internal static class SmallConvnet
{
    public static Sequential Create(int size, int classes, bool dropout)
    {
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
        if (dropout) model.Add(new Dropout(0.5f));
        model.Add(new Dense(512, activation: "relu"));
        model.Add(classes == 2 ? new Dense(1, activation: "sigmoid") : new Dense(classes, activation: "softmax"));
        return model;
    }
}
