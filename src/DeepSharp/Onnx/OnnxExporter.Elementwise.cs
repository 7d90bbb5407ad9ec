using DeepSharp.Layers;

namespace DeepSharp.Onnx;

/// <summary>The export function of every layer kind, and those of activations, arithmetic, dropout and rescaling.</summary>
internal sealed partial class OnnxExporter
{
    /// <summary>One export function per layer class; adding an exportable layer adds one line here.</summary>
    private static readonly Dictionary<Type, LayerExport> Exporters = new()
    {
        [typeof(Conv2D)] = ExportConv2D,
        [typeof(MaxPooling2D)] = ExportPooling,
        [typeof(AveragePooling2D)] = ExportPooling,
        [typeof(GlobalAveragePooling2D)] = ExportGlobalPooling,
        [typeof(GlobalMaxPooling2D)] = ExportGlobalPooling,
        [typeof(ZeroPadding2D)] = ExportZeroPadding2D,
        [typeof(BatchNormalization)] = ExportBatchNormalization,
        [typeof(DepthwiseConv2D)] = ExportDepthwiseConv2D,
        [typeof(SeparableConv2D)] = ExportSeparableConv2D,
        [typeof(Conv2DTranspose)] = ExportConv2DTranspose,
        [typeof(UpSampling2D)] = ExportUpSampling2D,
        [typeof(LayerNormalization)] = ExportLayerNormalization,
        [typeof(Dense)] = ExportDense,
        [typeof(Flatten)] = ExportFlatten,
        [typeof(Layers.Reshape)] = ExportReshape,
        [typeof(Permute)] = ExportPermute,
        [typeof(Concatenate)] = ExportConcatenate,
        [typeof(Layers.Slice)] = ExportSlice,
        [typeof(Layers.Activation)] = (e, l, x, _) => e.Activate(x[0], ((Layers.Activation)l).Kind, l.Name, named: true),
        [typeof(ReLU)] = ExportReLU,
        [typeof(LeakyReLU)] = (e, l, x, s) => new(e.Node("LeakyRelu", l.Name, [x[0].Name], Float("alpha", ((LeakyReLU)l).NegativeSlope)), s),
        [typeof(Layers.Softmax)] = (e, l, x, s) => new(e.Node("Softmax", l.Name, [x[0].Name], Int("axis", OnnxAxis(l, ((Layers.Softmax)l).Axis, s.Length))), s),
        [typeof(Layers.Add)] = (e, l, x, s) => e.Chain("Add", l, x, s),
        [typeof(Subtract)] = (e, l, x, s) => e.Chain("Sub", l, x, s),
        [typeof(Multiply)] = (e, l, x, s) => e.Chain("Mul", l, x, s),
        [typeof(Layers.Dropout)] = (_, _, x, _) => x[0],   // inference: the identity
        [typeof(SpatialDropout2D)] = (_, _, x, _) => x[0],
        [typeof(Rescaling)] = ExportRescaling,
        [typeof(ElementwiseConstant)] = ExportElementwiseConstant,
        [typeof(Resizing)] = ExportResizing,
        [typeof(CenterCrop)] = ExportCenterCrop,
        [typeof(RandomCrop)] = ExportRandomCrop,
        [typeof(RandomFlip)] = ExportAugmentation,   // inference: the identity
        [typeof(RandomRotation)] = ExportAugmentation,
        [typeof(RandomZoom)] = ExportAugmentation,
        [typeof(RandomTranslation)] = ExportAugmentation,
        [typeof(RandomContrast)] = ExportAugmentation,
        [typeof(RandomBrightness)] = ExportAugmentation,
    };

    /// <summary>Applies a fused activation (none for linear); the last node is named <paramref name="layer"/> when <paramref name="named"/>.</summary>
    private Value Activate(Value x, ActivationKind kind, string layer, bool named = false)
    {
        string name = named || kind != ActivationKind.Linear ? layer : x.Name;
        return kind switch
        {
            ActivationKind.Linear => named ? new(Node("Identity", name, [x.Name]), x.Shape) : x,
            ActivationKind.Relu => new(Node("Relu", name, [x.Name]), x.Shape),
            ActivationKind.Sigmoid => new(Node("Sigmoid", name, [x.Name]), x.Shape),
            ActivationKind.Tanh => new(Node("Tanh", name, [x.Name]), x.Shape),
            ActivationKind.Softmax => new(Node("Softmax", name, [x.Name], Int("axis", x.IsImage ? 1 : -1)), x.Shape),
            _ => throw new ArgumentException($"activation {kind} has no ONNX form."),
        };
    }

    private static Value ExportReLU(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var relu = (ReLU)layer;
        var x = inputs[0];
        if (relu.Threshold != 0f)
            throw new ArgumentException($"threshold {relu.Threshold} has no ONNX operator (only threshold 0 exports); use ReLU without a threshold.");
        if (relu.MaxValue is not { } max)
            return relu.NegativeSlope == 0f ? new(e.Node("Relu", layer.Name, [x.Name]), outputShape)
                : new(e.Node("LeakyRelu", layer.Name, [x.Name], Float("alpha", relu.NegativeSlope)), outputShape);
        string hi = e.Initializer(layer.Name + "_max", [max]);
        if (relu.NegativeSlope == 0f)
            return new(e.Node("Clip", layer.Name, [x.Name, e.Initializer(layer.Name + "_min", [0f]), hi]), outputShape);
        string leaky = e.Node("LeakyRelu", layer.Name + "_leaky", [x.Name], Float("alpha", relu.NegativeSlope));
        return new(e.Node("Clip", layer.Name, [leaky, "", hi]), outputShape);
    }

    /// <summary>Add/Sub/Mul of two or more same-shaped inputs, as a chain of binary nodes.</summary>
    private Value Chain(string op, Layer layer, Value[] inputs, int[] outputShape)
    {
        if (inputs.Any(i => i.Shape.Length != inputs[0].Shape.Length))
            throw new ArgumentException($"its inputs have different ranks ({string.Join(", ", inputs.Select(i => $"(None, {string.Join(", ", i.Shape)})"))}).");
        string acc = inputs[0].Name;
        for (int i = 1; i < inputs.Length; i++)
            acc = Node(op, i == inputs.Length - 1 ? layer.Name : $"{layer.Name}_{i}", [acc, inputs[i].Name]);
        return new(acc, outputShape);
    }

    private static Value ExportRescaling(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var r = (Rescaling)layer;
        // One number, or one per channel: channels are axis 1 of an NCHW image inside the graph, the last axis otherwise.
        long[] Dims(int n) => n == 1 ? [1] : inputs[0].IsImage ? [n, 1, 1] : [n];
        float[] scale = [.. r.Scales], offset = [.. r.Offsets];
        bool hasOffset = offset.Any(v => v != 0f);
        string scaled = e.Node("Mul", hasOffset ? layer.Name + "_scale" : layer.Name, [inputs[0].Name, e.Initializer(layer.Name + "_scale_value", scale, Dims(scale.Length))]);
        return hasOffset ? new(e.Node("Add", layer.Name, [scaled, e.Initializer(layer.Name + "_offset_value", offset, Dims(offset.Length))]), outputShape) : new(scaled, outputShape);
    }

    private static Value ExportElementwiseConstant(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var ec = (ElementwiseConstant)layer;
        var x = inputs[0];
        var shape = ec.ConstantShape;
        var values = ec.Constant.Value.Span.ToArray();
        long[] dims = shape.Select(d => (long)d).ToArray();
        if (x.IsImage && shape.Length <= 3)
        {
            // A constant aligned on the right of (h, w, c) becomes (c, h, w) for the NCHW value.
            int[] hwc = [.. Enumerable.Repeat(1, 3 - shape.Length), .. shape];
            var chw = new float[values.Length];
            for (int y = 0; y < hwc[0]; y++)
                for (int xx = 0; xx < hwc[1]; xx++)
                    for (int ch = 0; ch < hwc[2]; ch++)
                        chw[(ch * hwc[0] + y) * hwc[1] + xx] = values[(y * hwc[1] + xx) * hwc[2] + ch];
            values = chw;
            dims = shape.Length == 1 && shape[0] == 1 ? [1] : [hwc[2], hwc[0], hwc[1]];
        }
        else if (x.IsImage)
            throw new ArgumentException($"its constant of shape {Tensor.FormatShape(shape)} has more axes than an image.");
        string c = e.Initializer(layer.Name + "_constant", values, dims);
        return ec.Operation switch
        {
            "add" => new(e.Node("Add", layer.Name, [x.Name, c]), outputShape),
            "subtract" => new(e.Node("Sub", layer.Name, [x.Name, c]), outputShape),
            "reverse_subtract" => new(e.Node("Sub", layer.Name, [c, x.Name]), outputShape),
            "multiply" => new(e.Node("Mul", layer.Name, [x.Name, c]), outputShape),
            _ => throw new ArgumentException($"operation \"{ec.Operation}\" has no ONNX form."),
        };
    }
}
