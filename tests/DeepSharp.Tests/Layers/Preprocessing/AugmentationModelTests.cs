using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Tests.Data;

namespace DeepSharp.Tests.Layers.Preprocessing;

/// <summary>The user guide's Keras 3 model: augmentation layers in a nested Sequential of a functional model.</summary>
public class AugmentationModelTests
{
    [Fact]
    public void TrainsWithAugmentation_PredictsWithout_AndSavesIt()
    {
        var augmentation = new Sequential(new RandomFlip("horizontal", seed: 1), new RandomRotation(0.1, seed: 2), new RandomZoom(0.2, seed: 3));
        var inputs = new Input(16, 16, 3);
        var x = augmentation.Call(inputs);
        x = new Rescaling(1.0 / 255).Call(x);
        x = new Conv2D(4, (3, 3), activation: "relu").Call(x);
        x = new MaxPooling2D((2, 2)).Call(x);
        x = new Flatten().Call(x);
        var model = new Model(inputs, new Dense(1, activation: "sigmoid").Call(x));
        model.Compile(optimizer: new RMSprop(learningRate: 1e-3), loss: "binary_crossentropy", metrics: ["accuracy"]);
        var images = PreprocessingContract.Images(9, [8, 16, 16, 3]);
        var labels = new Tensor(8, 1);
        for (int i = 0; i < 8; i += 2) labels.Data[i] = 1;

        var before = model.Predict(images).Span.ToArray();
        Assert.Equal(before, model.Predict(images).Span.ToArray());   // inference: no augmentation, same output
        var history = model.Fit(images, labels, batchSize: 4, epochs: 2, verbose: 0);
        Assert.All(history["loss"], l => Assert.True(double.IsFinite(l)));
        Assert.NotEqual(before, model.Predict(images).Span.ToArray());   // the weights after the augmentation trained

        using var dir = new TempFolder();
        model.Save(dir.File("augmented.keras"));
        var loaded = Model.Load(dir.File("augmented.keras"));
        Assert.Equal(model.Predict(images).Span.ToArray(), loaded.Predict(images).Span.ToArray());
        Assert.Contains(loaded.Layers, l => l is Sequential s && s.Layers.Any(k => k is RandomZoom));
    }
}
