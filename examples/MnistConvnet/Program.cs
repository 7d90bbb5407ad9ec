// Chapter 5.1: a small convnet on MNIST (Deep Learning with R, listing 5.1-5.5), in C#.
// Run: dotnet run -c Release --project examples/MnistConvnet [-- --fashion]
using DeepSharp;
using DeepSharp.Data;
using DeepSharp.Layers;
using DeepSharp.Models;
using static DeepSharp.Utils;

var model = new Sequential(
    new Conv2D(32, (3, 3), activation: "relu", inputShape: (28, 28, 1)),
    new MaxPooling2D((2, 2)),
    new Conv2D(64, (3, 3), activation: "relu"),
    new MaxPooling2D((2, 2)),
    new Conv2D(64, (3, 3), activation: "relu"),
    new Flatten(),
    new Dense(64, activation: "relu"),
    new Dense(10, activation: "softmax"));
model.Summary();

var (train, test) = args.Contains("--fashion") ? FashionMnist.Load() : Mnist.Load();
model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
var history = model.Fit(train.Images / 255f, ToCategorical(train.Labels), epochs: 5, batchSize: 64);
var (loss, acc) = model.Evaluate(test.Images / 255f, ToCategorical(test.Labels));
Console.WriteLine($"test loss: {loss:F4} - test accuracy: {acc:F4}");
