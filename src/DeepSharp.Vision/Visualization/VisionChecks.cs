using DeepSharp.Models;

namespace DeepSharp.Vision;

/// <summary>Checks shared by the visualizations: one image of the model's input size.</summary>
internal static class VisionChecks
{
    /// <summary>The image as a batch of one; throws when it is not one image of the model's input size.</summary>
    public static Tensor SingleImage(Model model, Tensor image)
    {
        var expected = model.InputShape
            ?? throw new ArgumentException($"Model '{model.Name}' has no input shape yet: give its first layer an inputShape.");
        bool batchOfOne = image.Rank == expected.Length + 1 && image.Dim(0) == 1;
        var perImage = batchOfOne ? image.Shape[1..].ToArray() : image.ShapeArray.ToArray();
        if (!perImage.SequenceEqual(expected) || (!batchOfOne && image.Rank != expected.Length))
            throw new ArgumentException(
                $"The image has shape {Tensor.FormatShape(image.Shape)} but model '{model.Name}' expects one image of ({string.Join(", ", expected)}) " +
                $"(height, width, channels): load it at that size, e.g. ImageIO.Load(path, targetSize: ({expected[0]}, {(expected.Length > 1 ? expected[1] : 1)})), and scale it as in training.");
        return batchOfOne ? image : image.Reshape([1, .. expected]);
    }
}
