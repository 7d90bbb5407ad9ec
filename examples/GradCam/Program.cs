// Chapter 5.4.3: visualizing heatmaps of class activation (Grad-CAM, listings 5.39-5.43), in C#.
//   dotnet run -c Release --project examples/GradCam -- OUT/model.keras IMAGE [gradcam]
// The image goes in as one (h, w, c) image: Predict, Gradient and GradCam.Compute all take it as a batch of one.
// smoke: {model} {image} {out}
using DeepSharp.Gradients;
using DeepSharp;
using DeepSharp.Models;
using DeepSharp.Vision;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: GradCam MODEL.keras IMAGE [OUTPUT_DIR]");
    return 2;
}
var model = Model.Load(args[0]);
string output = args.Length > 2 ? args[2] : "gradcam";
var shape = model.InputShape!;
var original = ImageIO.Load(args[1], targetSize: (shape[0], shape[1]));
var x = original * (float)InputConvention.PixelScale(model);   // 1/255, as in training (1 for a model that starts with Rescaling)

// preds <- model %>% predict(x)
var preds = model.Predict(x);   // (1, classes)
Console.WriteLine($"prediction: {string.Join(", ", preds.ToArray().Select(p => p.ToString("F3")))}");

// The book's steps with the gradient API: the class score (before the sigmoid/softmax), the last conv layer's
// output, and the gradient of one with respect to the other.
var lastConv = model.Layers.Last(l => l.ClassName == "Conv2D");
int predicted = preds.Size == 1 ? (preds.Span[0] >= 0.5f ? 1 : 0) : preds.ArgMax()[0];
var r = model.Gradient(x, Objective.ClassScore(predicted), withRespectTo: lastConv);
// pooled_grads <- k_mean(grads, axis = c(1, 2, 3))
int h = r.Value.Dim(1), w = r.Value.Dim(2), k = r.Value.Dim(3);
var pooled = new double[k];
for (int p = 0; p < h * w; p++) for (int c = 0; c < k; c++) pooled[c] += r.Gradient.Span[p * k + c] / (h * w);
Console.WriteLine($"class {predicted}: layer '{lastConv.Name}' {h}×{w}×{k}, largest channel weight {pooled.Max():G3}");

// The same, with the ReLU, normalization, jet colormap and 0.4 blend: heatmap.png, overlay.png, heatmap.npy.
var cam = GradCam.Compute(model, x, predicted, lastConv.Name);
foreach (var file in GradCam.Save(cam, original, output)) Console.WriteLine(file);
return 0;
