// Chapter 5.2: a small convnet trained from scratch on 2,000 photos (listings 5.5-5.10), in C#.
// Any folder tree of the Kaggle layout works (DIR/train, DIR/validation, each with one sub-folder per class).
// Offline, make one from Fashion-MNIST first:
//   ./deepsharp make-dataset --output data/cats_and_dogs_small
//   dotnet run -c Release --project examples/CatsDogsConvnet -- data/cats_and_dogs_small [epochs] [--smoke]
// --smoke (tools/test.sh): 64×64 images, 2 steps per epoch, 1 validation step; the full setting is the book's.
// smoke: {data} 1 --smoke
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Optimizers;
using DeepSharp.Vision;

string baseDir = args.Length > 0 ? args[0] : "data/cats_and_dogs_small";
bool smoke = args.Contains("--smoke");
args = args.Where(a => a != "--smoke").ToArray();
int size = smoke ? 64 : 150, steps = smoke ? 2 : 100, validationSteps = smoke ? 1 : 50;
int epochs = args.Length > 1 ? int.Parse(args[1]) : 30;
string trainDir = Path.Combine(baseDir, "train");
string validationDir = Path.Combine(baseDir, "validation");

var model = new Sequential(
    new Conv2D(32, (3, 3), activation: "relu", inputShape: (size, size, 3)),
    new MaxPooling2D((2, 2)),
    new Conv2D(64, (3, 3), activation: "relu"),
    new MaxPooling2D((2, 2)),
    new Conv2D(128, (3, 3), activation: "relu"),
    new MaxPooling2D((2, 2)),
    new Conv2D(128, (3, 3), activation: "relu"),
    new MaxPooling2D((2, 2)),
    new Flatten(),
    new Dense(512, activation: "relu"),
    new Dense(1, activation: "sigmoid"));
model.Summary();   // Total params: 3,453,121
model.Compile(optimizer: new RMSprop(learningRate: 1e-4), loss: "binary_crossentropy", metrics: ["accuracy"]);

// All images are rescaled by 1/255 and resized to 150×150.
var trainDatagen = new ImageDataGenerator(rescale: 1.0 / 255);
var validationDatagen = new ImageDataGenerator(rescale: 1.0 / 255);
using var trainGenerator = trainDatagen.FlowFromDirectory(trainDir, targetSize: (size, size), batchSize: 20, classMode: ClassMode.Binary);
using var validationGenerator = validationDatagen.FlowFromDirectory(validationDir, targetSize: (size, size), batchSize: 20, classMode: ClassMode.Binary);

var history = model.Fit(trainGenerator, stepsPerEpoch: steps, epochs: epochs,
    validationData: validationGenerator, validationSteps: validationSteps);
model.Save("cats_and_dogs_small_1.keras");
history.Plot("cats_and_dogs_small_1.png");
Console.WriteLine($"val loss: {history["val_loss"][^1]:F4} - val accuracy: {history["val_accuracy"][^1]:F4}");
