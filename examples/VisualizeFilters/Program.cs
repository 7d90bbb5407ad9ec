// Chapter 5.4.2: visualizing convnet filters (listings 5.32-5.38), in C#.
// The gradient ascent written out with the public gradient API, then the 8×8 grid of a layer's first 64 filters:
//   dotnet run -c Release --project examples/VisualizeFilters -- OUT/model.keras conv2d_1 [filters]
// smoke: {model} conv2d_1 {out}
using DeepSharp.Gradients;
using DeepSharp;
using DeepSharp.Models;
using DeepSharp.Vision;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: VisualizeFilters MODEL.keras LAYER [OUTPUT_DIR]");
    return 2;
}
var model = Model.Load(args[0]);
string layerName = args[1], output = args.Length > 2 ? args[2] : "filters";
var shape = model.InputShape!;

// loss <- k_mean(layer_output[,,,filter_index]); grads <- k_gradients(loss, model$input)[[1]]
var objective = Objective.ChannelMean(model.GetLayer(layerName), channel: 0);

// input_img_data <- array(runif(150 * 150 * 3), dim = c(1, 150, 150, 3)) * 20 + 128
var random = new Random(0);
var input = new Tensor([1, .. shape]);
for (int i = 0; i < input.Size; i++) input.Span[i] = 128f + 20f * (float)random.NextDouble();

// The ascent runs on 0–255 pixels; the model sees them as in training (InputConvention: 1/255, or 1 after a Rescaling layer).
float scale = (float)InputConvention.PixelScale(model);
for (int step = 0; step < 40; step++)
{
    var r = model.Gradient(input * scale, objective);
    var g = r.Gradient.ToArray();
    // grads <- grads / (k_sqrt(k_mean(k_square(grads))) + 1e-5)
    double rms = Math.Sqrt(g.Average(v => (double)v * v)) + 1e-5;
    for (int i = 0; i < input.Size; i++) input.Span[i] += (float)(g[i] / rms);   // step = 1
    if (step % 10 == 0) Console.WriteLine($"step {step}: mean activation of filter 0 = {r.Objective[0]:G4}");
}

Directory.CreateDirectory(output);
string grid = Path.Combine(output, $"{layerName}_filters.png");
var patterns = FilterPatterns.SaveGrid(model, layerName, grid);   // deprocess_image, 8 × 8 with 5-pixel margins, the same input scale
Console.WriteLine($"{patterns.Count(p => p.StayedAtZero)} of {patterns.Count} filters never activated (objective 0 at every step)");
Console.WriteLine(grid);
return 0;
