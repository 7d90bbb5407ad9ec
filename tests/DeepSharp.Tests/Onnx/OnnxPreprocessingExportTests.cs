using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Data;

namespace DeepSharp.Tests.Onnx;

/// <summary>
/// A model with the preprocessing layers exports: the random augmentation layers are dropped (the identity at inference),
/// the crops become Slice nodes, and ONNX Runtime gives Predict's output; a Resizing is refused with an error naming it.
/// </summary>
[Collection(HeavyOnnxTests.Name)]
public class OnnxPreprocessingExportTests
{
    [Fact]
    public void AugmentationIsDroppedAndCropsAreSlices()
    {
        var inputs = new Input(14, 16, 3);
        var augmentation = new Sequential(new RandomFlip("horizontal"), new RandomRotation(0.1), new RandomZoom(0.2),
            new RandomTranslation(0.1, 0.1), new RandomContrast(0.2), new RandomBrightness(0.2));
        var x = augmentation.Call(inputs);
        x = new CenterCrop(12, 13).Call(x);
        x = new RandomCrop(12, 13, seed: 1).Call(x);   // same size at inference: a window of the whole image
        x = new Rescaling(1.0 / 255).Call(x);
        x = new Conv2D(4, 3, activation: "relu").Call(x);
        var model = new Model(inputs, new Dense(2, activation: "softmax").Call(new Flatten().Call(x)));
        using var dir = new TempFolder();
        string path = dir.File("m.onnx");
        model.SaveOnnx(path);
        OnnxExportCheck.Checker(path);
        var images = OnnxExportCheck.Random(3, 0f, 255f, 2, 14, 16, 3);
        var (ort, shape) = OnnxExportCheck.Run(path, images);
        Assert.Equal([2, 2], shape);
        OnnxExportCheck.AssertClose(model.Predict(images).Span, ort, 1e-5, "preprocessing model");
    }

    [Fact]
    public void AResizeIsRefusedNamingTheLayer()
    {
        var inputs = new Input(10, 10, 3);
        var model = new Model(inputs, new Flatten().Call(new Resizing(6, 6, name: "resize").Call(inputs)));
        using var dir = new TempFolder();
        var e = Assert.Throws<NotSupportedException>(() => model.SaveOnnx(dir.File("m.onnx")));
        Assert.Contains("'resize'", e.Message);
        Assert.Contains("no ONNX form", e.Message);
        Assert.False(File.Exists(dir.File("m.onnx")));
    }
}
