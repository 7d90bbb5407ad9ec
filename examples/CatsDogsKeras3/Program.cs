// Chapter 5.2 the way Keras 3 and the book's second edition write it: image_dataset_from_directory, augmentation as
// layers inside the model, the functional API, fit(dataset) and a ModelCheckpoint that keeps the best model.
//   ./deepsharp make-dataset --output data/cats_and_dogs_small
//   dotnet run -c Release --project examples/CatsDogsKeras3 -- data/cats_and_dogs_small [epochs] [--smoke]
// --smoke (tools/test.sh): 64×64 images, batches of 8; the full setting is the book's (180×180, 100 epochs).
// The 2017 way of the same chapter (ImageDataGenerator, FlowFromDirectory) is examples/CatsDogsAugmented.
// smoke: {data} 1 --smoke
using DeepSharp.Callbacks;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Vision;

string baseDir = args.Length > 0 ? args[0] : "data/cats_and_dogs_small";
bool smoke = args.Contains("--smoke");
args = args.Where(a => a != "--smoke").ToArray();
int size = smoke ? 64 : 180, batchSize = smoke ? 8 : 32;
int epochs = args.Length > 1 ? int.Parse(args[1]) : 100;

// Listing 8.14: the data, read straight from the folders (labels from the sub-folder names, in sorted order).
// LabelMode.Binary gives (batch, 1) float labels, the shape of the sigmoid's output.
var trainDataset = ImageDataset.FromDirectory(Path.Combine(baseDir, "train"), imageSize: (size, size), batchSize: batchSize, labelMode: LabelMode.Binary);
var validationDataset = ImageDataset.FromDirectory(Path.Combine(baseDir, "validation"), imageSize: (size, size), batchSize: batchSize, labelMode: LabelMode.Binary);
var testDataset = ImageDataset.FromDirectory(Path.Combine(baseDir, "test"), imageSize: (size, size), batchSize: batchSize, labelMode: LabelMode.Binary);
Console.WriteLine($"classes: {string.Join(", ", trainDataset.ClassNames)}");

// Listing 8.14: augmentation as layers; they are active in Fit and the identity in Evaluate and Predict.
var dataAugmentation = new Sequential(
    new RandomFlip("horizontal"),
    new RandomRotation(0.1),
    new RandomZoom(0.2));

// Listing 8.16: the convnet with augmentation, rescaling and dropout, in the functional API.
var inputs = new Input(size, size, 3);
var x = dataAugmentation.Call(inputs);
x = new Rescaling(1.0 / 255).Call(x);
x = new Conv2D(filters: 32, kernelSize: 3, activation: "relu").Call(x);
x = new MaxPooling2D(poolSize: 2).Call(x);
x = new Conv2D(filters: 64, kernelSize: 3, activation: "relu").Call(x);
x = new MaxPooling2D(poolSize: 2).Call(x);
x = new Conv2D(filters: 128, kernelSize: 3, activation: "relu").Call(x);
x = new MaxPooling2D(poolSize: 2).Call(x);
x = new Conv2D(filters: 256, kernelSize: 3, activation: "relu").Call(x);
x = new MaxPooling2D(poolSize: 2).Call(x);
if (!smoke) x = new Conv2D(filters: 256, kernelSize: 3, activation: "relu").Call(x);   // 7×7 → 5×5 at 180 pixels
x = new Flatten().Call(x);
x = new Dropout(0.5).Call(x);
var outputs = new Dense(1, activation: "sigmoid").Call(x);
var model = new Model(inputs, outputs);
model.Compile(loss: "binary_crossentropy", optimizer: "rmsprop", metrics: ["accuracy"]);
model.Summary();

// Listing 8.17: train, keeping the model with the best validation loss.
string checkpoint = "convnet_from_scratch_with_augmentation.keras";
var history = model.Fit(trainDataset, epochs: epochs, validationData: validationDataset,
    callbacks: [new ModelCheckpoint(checkpoint, saveBestOnly: true, monitor: "val_loss")]);
history.Plot("convnet_from_scratch_with_augmentation.png");

// Listing 8.18: evaluate the best model on the test set.
var testModel = Model.Load(checkpoint);
var result = testModel.Evaluate(testDataset);
Console.WriteLine($"Test accuracy: {result["accuracy"]:F3}");
