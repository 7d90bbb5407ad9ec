using DeepSharp.Layers;

namespace DeepSharp.Onnx;

/// <summary>
/// The preprocessing layers in ONNX: the random augmentation layers are the identity at inference (dropped, as Dropout),
/// the crops are a Slice of the NCHW value; a resize has no ONNX form here yet (refused with the reason).
/// </summary>
internal sealed partial class OnnxExporter
{
    /// <summary>A random augmentation layer: inference passes its input through.</summary>
    private static Value ExportAugmentation(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape) => inputs[0];

    private static Value ExportCenterCrop(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var crop = (CenterCrop)layer;
        int h = inputs[0].Shape[0], w = inputs[0].Shape[1];
        if (!crop.IsPlainCrop(h, w))
            throw new ArgumentException($"its {h}×{w} input is smaller than the {crop.Height}×{crop.Width} crop, so it resizes, which has no ONNX form in DeepSharp; give the model larger images.");
        var (rows, cols) = crop.Axes(h, w);
        return e.Crop(layer.Name, inputs[0], rows.Start[0], cols.Start[0], crop.Height, crop.Width, outputShape);
    }

    private static Value ExportRandomCrop(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var crop = (RandomCrop)layer;
        int h = inputs[0].Shape[0], w = inputs[0].Shape[1];
        if (!crop.IsPlainCrop(h, w))
            throw new ArgumentException($"at inference it crops the {h}×{w} input to the {crop.Height}:{crop.Width} aspect ratio and resizes, which has no ONNX form in DeepSharp; remove it before export (augmentation is for training).");
        var (rows, cols) = crop.CentreAxes(h, w);
        return e.Crop(layer.Name, inputs[0], rows.Start[0], cols.Start[0], crop.Height, crop.Width, outputShape);
    }

    private static Value ExportResizing(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape) =>
        throw new ArgumentException("resizing has no ONNX form in DeepSharp yet (Keras' kernels differ from ONNX Resize's); resize the images before the ONNX model and export the model without this layer.");

    /// <summary>The window [top, top + height) × [left, left + width) of an NCHW image value.</summary>
    private Value Crop(string name, Value x, int top, int left, int height, int width, int[] outputShape) =>
        new(Node("Slice", name, [x.Name, Int64Initializer(name + "_starts", top, left),
            Int64Initializer(name + "_ends", top + height, left + width), Int64Initializer(name + "_axes", 2, 3)]), outputShape);
}
