using DeepSharp.Models;

namespace DeepSharp.Vision;

/// <summary>Checks shared by the visualizations: one image of the model's input size.</summary>
internal static class VisionChecks
{
    /// <summary>
    /// The image as a batch of one: an (h, w, c) image or a (1, h, w, c) batch, by the rule every image-taking call
    /// shares (<see cref="Model.Predict(Tensor, int, System.Threading.CancellationToken)"/>, Gradient, ...); a wrong size gets
    /// the same message as there, and a batch of several images is refused.
    /// </summary>
    public static Tensor SingleImage(Model model, Tensor image)
    {
        if (model.InputShape is null)
            throw new ArgumentException($"Model '{model.Name}' has no input shape yet: give its first layer an inputShape.");
        var x = model.AsInputBatch(image);
        if (x.Dim(0) != 1)
            throw new ArgumentException($"This takes one image, (h, w, c) or (1, h, w, c), but got a batch of {x.Dim(0)} {Tensor.FormatShape(x.Shape)}: pass the images one at a time, e.g. images.Slice(i, 1).");
        return x;
    }
}
