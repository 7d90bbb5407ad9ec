// Chapter 5.1: a small convnet on MNIST (Deep Learning with R, listing 5.1-5.5), in C#.
// Run: dotnet run -c Release --project examples/MnistConvnet [-- --fashion] [--smoke]
// --smoke (tools/test.sh): one epoch on 1,000 training digits of the shipped sample; the full setting is the book's.
// smoke: --smoke
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

bool smoke = args.Contains("--smoke");
var (train, test) = args.Contains("--fashion") ? FashionMnist.Load() : smoke ? Mnist.LoadSample() : Mnist.Load();
var (trainImages, trainLabels) = smoke ? (train.Images.Slice(0, 1000), train.Labels[..1000]) : (train.Images, train.Labels);
model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
var history = model.Fit(trainImages / 255f, ToCategorical(trainLabels, 10), epochs: smoke ? 1 : 5, batchSize: 64);
var (loss, acc) = model.Evaluate(test.Images / 255f, ToCategorical(test.Labels, 10));
Console.WriteLine($"test loss: {loss:F4} - test accuracy: {acc:F4}");
