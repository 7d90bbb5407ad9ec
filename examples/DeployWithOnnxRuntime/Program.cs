// Deploying a DeepSharp model: train chapter 5.1's MNIST convnet, export it to ONNX (model.SaveOnnx), and run the
// file in ONNX Runtime and in ML.NET's ApplyOnnxModel, as an ASP.NET service or a desktop app would. Both runtimes
// must give DeepSharp's own predictions (the program fails otherwise).
// Run: dotnet run -c Release --project examples/DeployWithOnnxRuntime [-- --smoke] [--output mnist_convnet.onnx] [--opset 17]
//   --smoke: 1 epoch on 1,024 digits of the embedded MNIST sample (seconds, no download), for the examples runner.
using DeepSharp;
using DeepSharp.Data;
using DeepSharp.Layers;
using DeepSharp.Models;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static DeepSharp.Utils;

bool smoke = args.Contains("--smoke");
string Arg(string flag, string fallback) => Array.IndexOf(args, flag) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
string onnxPath = Arg("--output", "mnist_convnet.onnx");
int opset = int.Parse(Arg("--opset", "17"));

// 1. Train in DeepSharp (listing 5.1-5.5).
var model = new Sequential(
    new Conv2D(32, (3, 3), activation: "relu", inputShape: (28, 28, 1)),
    new MaxPooling2D((2, 2)),
    new Conv2D(64, (3, 3), activation: "relu"),
    new MaxPooling2D((2, 2)),
    new Conv2D(64, (3, 3), activation: "relu"),
    new Flatten(),
    new Dense(64, activation: "relu"),
    new Dense(10, activation: "softmax"));
var (train, test) = smoke ? Mnist.LoadSample() : Mnist.Load();
var trainX = smoke ? train.Images.Slice(0, 1024) : train.Images;
var trainY = smoke ? train.Labels[..1024] : train.Labels;
model.Compile(optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"]);
model.Fit(trainX / 255f, ToCategorical(trainY), epochs: smoke ? 1 : 5, batchSize: 64, verbose: smoke ? 0 : 1);

// 2. Export: the ONNX input is (batch, 28, 28, 1), as Predict takes it.
model.SaveOnnx(onnxPath, opset);
Console.WriteLine($"exported {onnxPath} (opset {opset}, {new FileInfo(onnxPath).Length:N0} bytes)");

int n = smoke ? 32 : 1000;
var x = test.Images.Slice(0, n) / 255f;
var labels = test.Labels[..n];
var expected = model.Predict(x);

// 3. ONNX Runtime: one call for the whole batch (the batch size is free).
float[] ort;
string inputName, outputName;
using (var session = new InferenceSession(onnxPath))
{
    inputName = session.InputMetadata.Keys.Single();
    outputName = session.OutputMetadata.Keys.Single();
    var input = new DenseTensor<float>(x.Span.ToArray(), [n, 28, 28, 1]);
    using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)]);
    ort = results.Single().AsEnumerable<float>().ToArray();
}
Report("ONNX Runtime", ort);

// 4. ML.NET: the ONNX model as a transform in a pipeline over an IDataView of 784-pixel rows.
var ml = new MLContext(seed: 1);
var rows = Enumerable.Range(0, n).Select(i => new Digit { Pixels = x.Span.Slice(i * 784, 784).ToArray() }).ToList();
var data = ml.Data.LoadFromEnumerable(rows);
var pipeline = ml.Transforms.CopyColumns(inputName, nameof(Digit.Pixels))
    .Append(ml.Transforms.ApplyOnnxModel(outputColumnNames: [outputName], inputColumnNames: [inputName], modelFile: onnxPath,
        shapeDictionary: new Dictionary<string, int[]> { [inputName] = [1, 28, 28, 1] }, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100))
    .Append(ml.Transforms.CopyColumns(nameof(Scores.Probabilities), outputName));
var scored = ml.Data.CreateEnumerable<Scores>(pipeline.Fit(data).Transform(data), reuseRowObject: false);
Report("ML.NET ApplyOnnxModel", scored.SelectMany(s => s.Probabilities).ToArray());

void Report(string runtime, float[] probabilities)
{
    if (probabilities.Length != expected.Size)
        throw new InvalidOperationException($"{runtime} returned {probabilities.Length} values, expected {expected.Size}.");
    float maxDiff = 0f;
    int correct = 0;
    for (int i = 0; i < n; i++)
    {
        var p = probabilities.AsSpan(i * 10, 10);
        if (p.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(p)) == labels[i]) correct++;
        for (int k = 0; k < 10; k++) maxDiff = Math.Max(maxDiff, Math.Abs(p[k] - expected[i, k]));
    }
    Console.WriteLine($"{runtime}: {n} test digits, accuracy {correct / (double)n:P1}, largest difference from DeepSharp's Predict {maxDiff:g3}");
    if (maxDiff > 1e-4f) throw new InvalidOperationException($"{runtime} differs from DeepSharp by {maxDiff}: the export is wrong.");
}

/// <summary>One input row for ML.NET: a 28×28×1 image, flattened.</summary>
internal sealed class Digit
{
    [VectorType(784)] public float[] Pixels { get; set; } = [];
}

/// <summary>One output row: the ten class probabilities.</summary>
internal sealed class Scores
{
    [VectorType(10)] public float[] Probabilities { get; set; } = [];
}
