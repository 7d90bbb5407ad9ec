// Chapter 5.3.1: feature extraction with a pretrained convnet (VGG16's convolutional base), both ways, in C#.
//   ./deepsharp make-dataset --output data/cats_and_dogs_small
//   dotnet run -c Release --project examples/PretrainedFeatureExtraction -- data/cats_and_dogs_small [epochs]
// VGG16's ImageNet weights come from the Keras cache (~/.keras/models) or are downloaded once (58.9 MB).
using DeepSharp;
using DeepSharp.Applications;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Vision;
using static DeepSharp.Utils;

string baseDir = args.Length > 0 ? args[0] : "data/cats_and_dogs_small";
int epochs = args.Length > 1 ? int.Parse(args[1]) : 30;
string trainDir = Path.Combine(baseDir, "train"), validationDir = Path.Combine(baseDir, "validation"), testDir = Path.Combine(baseDir, "test");

Model convBase;
try
{
    convBase = Applications.VGG16(
        weights: "imagenet",
        includeTop: false,              // without the densely connected classifier on top
        inputShape: (150, 150, 3));
}
catch (FileNotFoundException)
{
    Console.WriteLine("VGG16's ImageNet weights are not here: copy vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5 into ~/.keras/models " +
        "(from https://storage.googleapis.com/tensorflow/keras-applications/vgg16/) and run again.");
    return;
}
convBase.Summary();

// ---- 1. Feature extraction without data augmentation: run the images through the base once, then train a small classifier ----
var datagen = new ImageDataGenerator(rescale: 1f / 255);
int batchSize = 20;

(Tensor Features, Tensor Labels) ExtractFeatures(string directory, int sampleCount)
{
    using var generator = datagen.FlowFromDirectory(directory, targetSize: (150, 150), batchSize: batchSize, classMode: ClassMode.Binary, shuffle: false);
    var (features, labels) = convBase.ExtractFeatures(generator, Math.Min(sampleCount, generator.SampleCount));
    return (features.Reshape(-1, 4 * 4 * 512), labels!);   // reshape_features: (samples, 4, 4, 512) -> (samples, 8192)
}

var train = ExtractFeatures(trainDir, 2000);
var validation = ExtractFeatures(validationDir, 1000);

var model = new Sequential(
    new Dense(256, activation: "relu", inputDim: 4 * 4 * 512),
    new Dropout(0.5f),
    new Dense(1, activation: "sigmoid"));
model.Compile(optimizer: new RMSprop(learningRate: 2e-5f), loss: "binary_crossentropy", metrics: ["accuracy"]);
var history = model.Fit(train.Features, train.Labels, epochs: epochs, batchSize: 20,
    validationData: (validation.Features, validation.Labels));
history.Plot("feature_extraction_1.png");
Console.WriteLine($"without augmentation: val accuracy {history["val_accuracy"][^1]:F4}");

// ---- 2. Feature extraction with data augmentation: the frozen base inside the model, trained end to end ----
var model2 = new Sequential(
    convBase,
    new Flatten(),
    new Dense(256, activation: "relu"),
    new Dense(1, activation: "sigmoid"));
FreezeWeights(convBase);           // the base's weights stay as ImageNet left them
model2.Summary();                  // Trainable params: 2,097,665 (the classifier), Non-trainable params: 14,714,688

var augmented = new ImageDataGenerator(rescale: 1f / 255, rotationRange: 40, widthShiftRange: 0.2f, heightShiftRange: 0.2f,
    shearRange: 0.2f, zoomRange: 0.2f, horizontalFlip: true, fillMode: FillMode.Nearest);
using var trainGenerator = augmented.FlowFromDirectory(trainDir, targetSize: (150, 150), batchSize: 20, classMode: ClassMode.Binary);
using var validationGenerator = datagen.FlowFromDirectory(validationDir, targetSize: (150, 150), batchSize: 20, classMode: ClassMode.Binary);
model2.Compile(optimizer: new RMSprop(learningRate: 2e-5f), loss: "binary_crossentropy", metrics: ["accuracy"]);
var history2 = model2.Fit(trainGenerator, stepsPerEpoch: 100, epochs: epochs, validationData: validationGenerator, validationSteps: 50);
history2.Plot("feature_extraction_2.png");
model2.Save("cats_and_dogs_small_3.keras");
Console.WriteLine($"with augmentation: val accuracy {history2["val_accuracy"][^1]:F4}");
if (Directory.Exists(testDir))
{
    using var testGenerator = datagen.FlowFromDirectory(testDir, targetSize: (150, 150), batchSize: 20, classMode: ClassMode.Binary);
    Console.WriteLine($"test accuracy: {model2.Evaluate(testGenerator, verbose: 0)["accuracy"]:F4}");
}
