// Chapter 5.2.5: the same convnet with data augmentation and dropout (listings 5.11-5.16), in C#.
//   ./deepsharp make-dataset --output data/cats_and_dogs_small
//   dotnet run -c Release --project examples/CatsDogsAugmented -- data/cats_and_dogs_small [epochs] [--smoke]
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
int epochs = args.Length > 1 ? int.Parse(args[1]) : 100;

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
    new Dropout(0.5),
    new Dense(512, activation: "relu"),
    new Dense(1, activation: "sigmoid"));
model.Compile(optimizer: new RMSprop(learningRate: 1e-4), loss: "binary_crossentropy", metrics: ["accuracy"]);

var datagen = new ImageDataGenerator(
    rescale: 1.0 / 255,
    rotationRange: 40,
    widthShiftRange: 0.2,
    heightShiftRange: 0.2,
    shearRange: 0.2,
    zoomRange: 0.2,
    horizontalFlip: true,
    fillMode: FillMode.Nearest);
var testDatagen = new ImageDataGenerator(rescale: 1.0 / 255);   // validation data is never augmented

using var trainGenerator = datagen.FlowFromDirectory(Path.Combine(baseDir, "train"), targetSize: (size, size), batchSize: 32, classMode: ClassMode.Binary);
using var validationGenerator = testDatagen.FlowFromDirectory(Path.Combine(baseDir, "validation"), targetSize: (size, size), batchSize: 32, classMode: ClassMode.Binary);

var history = model.Fit(trainGenerator, stepsPerEpoch: steps, epochs: epochs,
    validationData: validationGenerator, validationSteps: validationSteps);
model.Save("cats_and_dogs_small_2.keras");
history.Plot("cats_and_dogs_small_2.png");
Console.WriteLine($"val loss: {history["val_loss"][^1]:F4} - val accuracy: {history["val_accuracy"][^1]:F4}");
