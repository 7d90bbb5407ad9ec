// A layer of your own in a DeepSharp model: train with it, save the model, load it back.
// Run: dotnet run -c Release --project examples/CustomLayer [-- --epochs 1] [--smoke]
// --smoke (tools/test.sh): trains on 1,000 of the sample's digits.
// smoke: --smoke
using DeepSharp.Data;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Saving;
using static DeepSharp.Utils;

int epochs = args.Length >= 2 && args[0] == "--epochs" ? int.Parse(args[1]) : 1;
int trainCount = args.Contains("--smoke") ? 1000 : Mnist.SampleTrainCount;

var model = new Sequential(
    new Conv2D(32, (3, 3), activation: "relu", inputShape: (28, 28, 1)),
    new MaxPooling2D((2, 2)),
    new ScaleShift(initialScale: 0.5f, name: "scale_shift"),   // the custom layer
    new Conv2D(64, (3, 3), activation: "relu"),
    new MaxPooling2D((2, 2)),
    new Flatten(),
    new Dense(10, activation: "softmax"));
model.Summary();

var (train, test) = Mnist.LoadSample();   // the real MNIST digits shipped inside DeepSharp
model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
model.Fit(train.Images.Slice(0, trainCount) / 255f, ToCategorical(train.Labels[..trainCount], 10), epochs: epochs, batchSize: 64);

string path = Path.Combine(Path.GetTempPath(), "custom-layer.keras");
model.Save(path);

LayerRegistry.Register<ScaleShift>();      // tells Model.Load how to rebuild "ScaleShift" from its config
var loaded = Model.Load(path);
var (loss, acc) = loaded.Evaluate(test.Images / 255f, ToCategorical(test.Labels, 10));
Console.WriteLine($"reloaded from {path}: test loss: {loss:F4} - test accuracy: {acc:F4}");
