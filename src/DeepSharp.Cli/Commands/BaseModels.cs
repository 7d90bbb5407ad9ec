using DeepSharp.Applications;
using DeepSharp.Models;

namespace DeepSharp.Cli.Commands;

/// <summary>The pretrained convolutional bases `visualize filters --base` can show.</summary>
internal static class BaseModels
{
    public static readonly string[] Names = ["resnet18", "vgg16"];

    /// <summary>The base without its classifier; <paramref name="weights"/>: "imagenet" (default), a weights file, or "random".</summary>
    public static Model Create(string name, string? weights) => name switch
    {
        // As in the book: VGG16's convolutional base on 150×150 images.
        "vgg16" => Applications.Applications.VGG16(weights: weights == "random" ? null : weights ?? "imagenet", includeTop: false, inputShape: (150, 150, 3)),
        _ => throw new ArgumentException($"--base {name}: this build has no pretrained {name} yet (DeepSharp.Applications); use --model M.keras or --base vgg16."),
    };
}
