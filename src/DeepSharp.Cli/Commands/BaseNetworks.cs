using DeepSharp.Layers;
using DeepSharp.Models;

namespace DeepSharp.Cli.Commands;

/// <summary>
/// The pretrained convolutional bases the CLI offers (<c>--base</c>): "vgg16" (Keras' ImageNet weights, from the Keras cache or
/// downloaded), or a base saved as a .keras file.
/// Each comes with the pixel scaling it expects, applied by a <see cref="Rescaling"/> layer in front of it so the trained model
/// takes raw 0–255 pixels.
/// </summary>
internal static class BaseNetworks
{
    /// <summary>The base and the scale its input pixels need (VGG16 as in the book: 1/255; ResNet18 and ONNX files: raw 0–255).</summary>
    public static (Model Base, float Scale) Create(string spec, int size)
    {
        if (spec.Equals("vgg16", StringComparison.OrdinalIgnoreCase))
            return (Applications.Applications.VGG16(weights: "imagenet", includeTop: false, inputShape: (size, size, 3)), 1f / 255);
        if (spec.EndsWith(".keras", StringComparison.OrdinalIgnoreCase))
        {
            // Any saved convolutional base (e.g. convBase.Save("base.keras")), fed pixels scaled to [0, 1].
            var model = Model.Load(spec);
            if (model.InputShape is not { Length: 3 } s || s[0] != size || s[1] != size || s[2] != 3)
                throw new ArgumentException($"--base: '{spec}' takes inputs (None, {string.Join(", ", model.InputShape ?? [])}), not ({size}, {size}, 3) images; " +
                    "pass --target-size to match or save a base built for that size.");
            return (model, 1f / 255);
        }
        throw new ArgumentException($"--base: unknown base network '{spec}'. Use vgg16, or a saved base FILE.keras.");
    }

    /// <summary>
    /// The chapter's model on a base: Rescaling, the base, Flatten, Dense(256, relu), then a sigmoid unit for two classes or a
    /// softmax for more.
    /// </summary>
    public static Sequential Classifier(Model convBase, float scale, int size, int classes, bool dropout) =>
        dropout
            ? new Sequential(new Rescaling(scale, inputShape: (size, size, 3)), convBase, new Flatten(), new Dense(256, activation: "relu"),
                new Dropout(0.5f), Head(classes))
            : new Sequential(new Rescaling(scale, inputShape: (size, size, 3)), convBase, new Flatten(), new Dense(256, activation: "relu"), Head(classes));

    private static Dense Head(int classes) => classes == 2 ? new Dense(1, activation: "sigmoid") : new Dense(classes, activation: "softmax");

    /// <summary>The base inside a model built by <see cref="Classifier"/> (its first nested model).</summary>
    public static Model? FindBase(Model model) => model.Layers.OfType<Model>().FirstOrDefault();
}
