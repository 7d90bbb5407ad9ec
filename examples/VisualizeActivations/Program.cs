// Chapter 5.4.1: visualizing intermediate activations (listings 5.25-5.31), in C#.
// Needs a model saved by CatsDogsConvnet / `deepsharp train --output OUT` and one image:
//   dotnet run -c Release --project examples/VisualizeActivations -- OUT/model.keras data/cats_and_dogs_small/test/tshirts/tshirts.1500.jpg [activations]
// smoke: {model} {image} {out}
using DeepSharp;
using DeepSharp.Models;
using DeepSharp.Vision;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: VisualizeActivations MODEL.keras IMAGE [OUTPUT_DIR]");
    return 2;
}
var model = Model.Load(args[0]);
string output = args.Length > 2 ? args[2] : "activations";
var shape = model.InputShape!;

// img <- image_load(img_path, target_size = c(150, 150)); img_tensor <- image_to_array(img) / 255
var img = ImageIO.Load(args[1], targetSize: (shape[0], shape[1])) * (float)InputConvention.PixelScale(model);   // / 255, as in training
var imgTensor = img.Reshape(1, shape[0], shape[1], shape[2]);

// layer_outputs <- lapply(model$layers[1:8], function(layer) layer$output)
// activation_model <- keras_model(inputs = model$input, outputs = layer_outputs)
var layerOutputs = model.Layers.Where(l => l.Output.Shape.Length == 3).Take(8).Select(l => l.Output).ToList();
var activationModel = new Model(model.Input, outputs: layerOutputs);

// activations <- activation_model %>% predict(img_tensor)
Tensor[] activations = activationModel.PredictOutputs(imgTensor);
var firstLayerActivation = activations[0];
Console.WriteLine($"first layer activation: {Tensor.FormatShape(firstLayerActivation.Shape)}");   // (1, 148, 148, 32)

// One grid per layer, every channel, 16 per row (the book's plot loop).
foreach (var file in IntermediateActivations.Save(model, img, output, layerOutputs.Select(o => o.Producer!.Name)))
    Console.WriteLine(file);
return 0;
