using DeepSharp.Applications;
using DeepSharp.Data;
using DeepSharp.Gradients;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Vision;
using static DeepSharp.Utils;

namespace DeepSharp.UserCode.Tests;

/// <summary>
/// The code of <i>Deep Learning with R</i>, chapter 5, line by line in C# (listings 5.1-5.4x): Keras' names and arguments
/// with C#'s syntax and nothing else, so that literals the way Keras code writes them (<c>0.5</c>, <c>1e-4</c>,
/// <c>1.0 / 255</c>, <c>(0.8, 1.2)</c>) keep compiling. Each listing runs briefly: the book's epochs and steps become one,
/// its 2,000 cats and dogs a few real digit images (no photos offline), VGG16's ImageNet weights random (not offline).
/// </summary>
public class BookChapter5Tests
{
    private static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), $"deepsharp-book-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>A small cats-vs-dogs-shaped folder: train/validation/test, two classes, real digit images as JPEGs.</summary>
    private static string SmallDataset(string root, int size = 150)
    {
        var (train, _) = Mnist.LoadSample();
        DatasetMaker.WriteFolders(train.Images, train.Labels, ["cats", "dogs"], root, perClassTrain: 4, perClassValidation: 2,
            perClassTest: 2, size: size, classLabels: [0, 1]);
        return root;
    }

    [Fact]
    public void Listing_5_1_MnistConvnet()
    {
        var model = new Sequential(
            new Conv2D(filters: 32, kernelSize: (3, 3), activation: "relu", inputShape: (28, 28, 1)),
            new MaxPooling2D(poolSize: (2, 2)),
            new Conv2D(filters: 64, kernelSize: (3, 3), activation: "relu"),
            new MaxPooling2D(poolSize: (2, 2)),
            new Conv2D(filters: 64, kernelSize: (3, 3), activation: "relu"),
            new Flatten(),
            new Dense(units: 64, activation: "relu"),
            new Dense(units: 10, activation: "softmax"));
        Assert.Equal(93_322, model.CountParams());

        var (train, test) = Mnist.LoadSample();                  // the book: dataset_mnist()
        var trainImages = train.Images.Reshape(train.Count, 28, 28, 1) / 255.0;
        var trainLabels = ToCategorical(train.Labels);
        var testImages = test.Images.Reshape(test.Count, 28, 28, 1) / 255.0;
        var testLabels = ToCategorical(test.Labels);

        model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        var head = trainImages.Reshape(trainImages.Dim(0), 28, 28, 1);
        model.Fit(Slice(head, 640), Slice(trainLabels, 640), epochs: 1, batchSize: 64, verbose: 0);   // the book: epochs = 5
        var results = model.Evaluate(Slice(testImages, 500), Slice(testLabels, 500), verbose: 0);
        Assert.InRange(results["accuracy"], 0.3, 1.0);           // 640 images, one epoch: well above chance (0.1)
    }

    [Fact]
    public void Listings_5_2_SmallConvnetWithAugmentationAndDropout()
    {
        string baseDir = SmallDataset(TempDir());
        try
        {
            string trainDir = Path.Combine(baseDir, "train"), validationDir = Path.Combine(baseDir, "validation");
            var model = new Sequential(
                new Conv2D(filters: 32, kernelSize: (3, 3), activation: "relu", inputShape: (150, 150, 3)),
                new MaxPooling2D(poolSize: (2, 2)),
                new Conv2D(filters: 64, kernelSize: (3, 3), activation: "relu"),
                new MaxPooling2D(poolSize: (2, 2)),
                new Conv2D(filters: 128, kernelSize: (3, 3), activation: "relu"),
                new MaxPooling2D(poolSize: (2, 2)),
                new Conv2D(filters: 128, kernelSize: (3, 3), activation: "relu"),
                new MaxPooling2D(poolSize: (2, 2)),
                new Flatten(),
                new Dropout(rate: 0.5),
                new Dense(units: 512, activation: "relu"),
                new Dense(units: 1, activation: "sigmoid"));
            model.Compile(loss: "binary_crossentropy", optimizer: new RMSprop(learningRate: 1e-4), metrics: ["acc"]);

            var datagen = new ImageDataGenerator(
                rescale: 1.0 / 255,
                rotationRange: 40,
                widthShiftRange: 0.2,
                heightShiftRange: 0.2,
                shearRange: 0.2,
                zoomRange: 0.2,
                horizontalFlip: true,
                fillMode: FillMode.Nearest);
            var testDatagen = new ImageDataGenerator(rescale: 1.0 / 255);
            var alsoKeras = new ImageDataGenerator(zoomRange: (0.8, 1.2), brightnessRange: (0.5, 1.5), validationSplit: 0.2);
            Assert.Equal(new ZoomRange(0.8f, 1.2f), alsoKeras.ZoomRange);

            using var trainGenerator = datagen.FlowFromDirectory(trainDir, targetSize: (150, 150), batchSize: 4, classMode: ClassMode.Binary);
            using var validationGenerator = testDatagen.FlowFromDirectory(validationDir, targetSize: (150, 150), batchSize: 4, classMode: ClassMode.Binary);
            var history = model.Fit(trainGenerator, stepsPerEpoch: 2, epochs: 1,       // the book: 100 steps, 100 epochs
                validationData: validationGenerator, validationSteps: 1, verbose: 0);
            string saved = Path.Combine(baseDir, "cats_and_dogs_small_2.keras");
            model.Save(saved);
            history.Plot(Path.Combine(baseDir, "history.png"));
            Assert.True(File.Exists(saved) && File.Exists(Path.Combine(baseDir, "history.png")));
            Assert.Single(history["val_acc"]);
        }
        finally { Directory.Delete(baseDir, true); }
    }

    [Fact]
    public void Listings_5_3_PretrainedConvnet_FeatureExtractionAndFineTuning()
    {
        string baseDir = SmallDataset(TempDir());
        try
        {
            // The book: weights = "imagenet" (downloaded by Keras); offline tests use VGG16's architecture with random weights.
            var convBase = Applications.Applications.VGG16(weights: null, includeTop: false, inputShape: (150, 150, 3));
            Assert.Equal(14_714_688, convBase.CountParams());

            // 5.3.1, fast feature extraction without data augmentation.
            var datagen = new ImageDataGenerator(rescale: 1.0 / 255);
            using var generator = datagen.FlowFromDirectory(Path.Combine(baseDir, "train"), targetSize: (150, 150),
                batchSize: 4, classMode: ClassMode.Binary, shuffle: false);
            var (features, labels) = convBase.ExtractFeatures(generator, sampleCount: 4);
            Assert.Equal([4, 4, 4, 512], features.Shape);
            var flat = features.Reshape(4, 4 * 4 * 512);
            var top = new Sequential(
                new Dense(units: 256, activation: "relu", inputDim: 4 * 4 * 512),
                new Dropout(rate: 0.5),
                new Dense(units: 1, activation: "sigmoid"));
            top.Compile(optimizer: new RMSprop(learningRate: 2e-5), loss: "binary_crossentropy", metrics: ["accuracy"]);
            top.Fit(flat, labels!, epochs: 1, batchSize: 20, verbose: 0);            // the book: 30 epochs

            // 5.3.2, the base inside the model, frozen, then fine-tuned from block5_conv1 (the book: block3_conv1).
            var model = new Sequential(convBase, new Flatten(), new Dense(units: 256, activation: "relu"), new Dense(units: 1, activation: "sigmoid"));
            FreezeWeights(convBase);
            Assert.Equal(2_097_665, model.Parameters.Where(p => p.Trainable).Sum(p => (long)p.Value.Size));
            UnfreezeWeights(convBase, from: "block5_conv1");
            model.Compile(loss: "binary_crossentropy", optimizer: new RMSprop(learningRate: 1e-5), metrics: ["accuracy"]);
            var history = model.Fit(generator, stepsPerEpoch: 1, epochs: 1, verbose: 0);   // the book: 100 steps, 100 epochs
            Assert.True(double.IsFinite(history["loss"][0]));
        }
        finally { Directory.Delete(baseDir, true); }
    }

    [Fact]
    public void Listings_5_4_VisualizingWhatConvnetsLearn()
    {
        string baseDir = SmallDataset(TempDir());
        try
        {
            var small = new Sequential(
                new Conv2D(filters: 32, kernelSize: (3, 3), activation: "relu", inputShape: (150, 150, 3)),
                new MaxPooling2D(poolSize: (2, 2)),
                new Conv2D(filters: 64, kernelSize: (3, 3), activation: "relu"),
                new MaxPooling2D(poolSize: (2, 2)),
                new Flatten(),
                new Dense(units: 1, activation: "sigmoid"));
            small.Compile(optimizer: "rmsprop", loss: "binary_crossentropy");
            string modelPath = Path.Combine(baseDir, "cats_and_dogs_small_2.keras");
            small.Save(modelPath);

            // 5.4.1, intermediate activations.
            var model = Model.Load(modelPath);
            string imgPath = Directory.GetFiles(Path.Combine(baseDir, "test", "cats"))[0];
            var img = ImageIO.Load(imgPath, targetSize: (150, 150));
            var imgTensor = img.Reshape(1, 150, 150, 3) / 255.0;
            var layerOutputs = model.Layers.Take(4).Select(layer => layer.Output).ToList();
            var activationModel = new Model(inputs: model.Input, outputs: layerOutputs);
            var activations = activationModel.PredictOutputs(imgTensor);
            Assert.Equal([1, 148, 148, 32], activations[0].Shape);

            // 5.4.2, a filter's pattern: gradient ascent on the mean activation of one filter.
            string layerName = model.Layers.Last(l => l is Conv2D).Name;   // the book: "block3_conv1" of VGG16
            var layerOutput = model.GetLayer(layerName);
            var input = new Tensor([1, 150, 150, 3]);
            for (int i = 0; i < input.Size; i++) input.Span[i] = 0.5f;
            var step = model.Gradient(input, Objective.ChannelMean(layerOutput, channel: 0));
            Assert.Equal(input.Shape, step.Gradient.Shape);
            var pattern = FilterPatterns.Generate(model, layerName, filter: 0, steps: 2, stepSize: 1.0, inputScale: 1.0 / 255);
            Assert.NotNull(pattern);

            // 5.4.3, class activation map (Grad-CAM) on the last convolution.
            var cam = GradCam.Compute(model, img / 255.0, classIndex: 0, layer: layerName);
            var written = GradCam.Save(cam, img, Path.Combine(baseDir, "gradcam"));
            Assert.All(written, f => Assert.True(File.Exists(f)));
        }
        finally { Directory.Delete(baseDir, true); }
    }

    private static Tensor Slice(Tensor t, int n)
    {
        int row = t.Size / t.Dim(0);
        return Tensor.FromArray(t.Span[..(n * row)].ToArray(), [n, .. t.Shape[1..]]);
    }
}
