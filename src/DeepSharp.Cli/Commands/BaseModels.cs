using DeepSharp.Models;

namespace DeepSharp.Cli.Commands;

/// <summary>The pretrained convolutional bases `visualize filters --base` can show.</summary>
internal static class BaseModels
{
    public static readonly string[] Names = ["resnet18", "vgg16"];

    public static Model Create(string name) => name switch
    {
        _ => throw new ArgumentException($"--base {name}: this build has no pretrained {name} yet (DeepSharp.Applications); use --model M.keras."),
    };
}
