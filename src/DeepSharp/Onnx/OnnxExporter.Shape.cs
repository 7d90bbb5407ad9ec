using DeepSharp.Layers;

namespace DeepSharp.Onnx;

/// <summary>Dense layers and the layers that move or regroup values: Flatten, Reshape, Permute, Concatenate, Slice.</summary>
internal sealed partial class OnnxExporter
{
    private static Value ExportDense(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var dense = (Dense)layer;
        var x = inputs[0];
        int k = x.Shape[^1], units = dense.Units;
        string kernel = e.Initializer(layer.Name + "_kernel", dense.Kernel.Value.Span, k, units);
        string? bias = dense.Bias is { } b ? e.Initializer(layer.Name + "_bias", b.Value.Span, units) : null;
        string name = dense.Activation == ActivationKind.Linear ? layer.Name : layer.Name + "_dense";
        Value y;
        if (x.Shape.Length == 1)
            y = new(e.Node("Gemm", name, bias is null ? [x.Name, kernel] : [x.Name, kernel, bias]), outputShape);
        else
        {
            // Dense on the last axis of a sequence or an image: MatMul (+ bias) in DeepSharp's (h, w, c) order.
            string product = e.Node("MatMul", bias is null && !x.IsImage ? name : name + "_matmul", [e.ToNhwc(x, layer.Name + "_nhwc"), kernel]);
            if (bias is not null) product = e.Node("Add", x.IsImage ? name + "_biased" : name, [product, bias]);
            y = x.IsImage ? e.Transpose(product, [0, 3, 1, 2], name, outputShape) : new(product, outputShape);
        }
        return e.Activate(y, dense.Activation, layer.Name);
    }

    /// <summary>Flattens in DeepSharp's (h, w, c) order (an NCHW image is transposed first), so a Dense after it reads the same features.</summary>
    private static Value ExportFlatten(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape) =>
        inputs[0].Shape.Length == 1 ? inputs[0]
            : new(e.Node("Flatten", layer.Name, [e.ToNhwc(inputs[0], layer.Name + "_nhwc")], Int("axis", 1)), outputShape);

    private static Value ExportReshape(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        string shape = e.Int64Initializer(layer.Name + "_shape", [-1, .. outputShape.Select(d => (long)d)]);
        string reshaped = e.Node("Reshape", outputShape.Length == 3 ? layer.Name + "_hwc" : layer.Name, [e.ToNhwc(inputs[0], layer.Name + "_nhwc"), shape]);
        return e.FromNhwc(reshaped, outputShape, layer.Name);
    }

    private static Value ExportPermute(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var x = inputs[0];
        long[] hold(int rank) => rank == 3 ? [0, 3, 1, 2] : Enumerable.Range(0, rank + 1).Select(i => (long)i).ToArray();
        long[] release(int rank) => rank == 3 ? [0, 2, 3, 1] : hold(rank);
        // Transpose(Transpose(a, p), q) = Transpose(a, r) with r[i] = p[q[i]]: undo NCHW, permute, redo NCHW, in one node.
        long[] q = [0, .. ((Permute)layer).Dims.Select(d => (long)d)];
        long[] inverse = release(x.Shape.Length), holdOut = hold(outputShape.Length);
        long[] r1 = q.Select(i => inverse[i]).ToArray();
        long[] r = holdOut.Select(i => r1[i]).ToArray();
        if (r.Select((v, i) => v == i).All(b => b)) return new(e.Node("Identity", layer.Name, [x.Name]), outputShape);
        return e.Transpose(x.Name, r, layer.Name, outputShape);
    }

    private static Value ExportConcatenate(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape) =>
        new(e.Node("Concat", layer.Name, inputs.Select(i => i.Name), Int("axis", OnnxAxis(layer, ((Concatenate)layer).Axis, outputShape.Length))), outputShape);

    private static Value ExportSlice(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var s = (Layers.Slice)layer;
        long axis = OnnxAxis(layer, s.Axis, inputs[0].Shape.Length);
        return new(e.Node("Slice", layer.Name, [inputs[0].Name, e.Int64Initializer(layer.Name + "_starts", s.Start),
            e.Int64Initializer(layer.Name + "_ends", s.Stop), e.Int64Initializer(layer.Name + "_axes", axis)]), outputShape);
    }
}
