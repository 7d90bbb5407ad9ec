using DeepSharp.Layers;

namespace DeepSharp.Onnx;

/// <summary>Convolution, pooling, padding and batch normalization: the image layers, on NCHW values.</summary>
internal sealed partial class OnnxExporter
{
    private static Value ExportConv2D(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var conv = (Conv2D)layer;
        var x = RequireImage(inputs[0], layer);
        var (kh, kw) = conv.KernelSize;
        int inC = x.Shape[2], outC = conv.Filters;
        // Keras' (kh, kw, in, out) kernel → ONNX's (out, in, kh, kw).
        var k = conv.Kernel.Value.Span;
        var w = new float[k.Length];
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
                for (int i = 0; i < inC; i++)
                    for (int o = 0; o < outC; o++)
                        w[((o * inC + i) * kh + ky) * kw + kx] = k[((ky * kw + kx) * inC + i) * outC + o];
        List<string> args = [x.Name, e.Initializer(layer.Name + "_kernel", w, outC, inC, kh, kw)];
        if (conv.Bias is { } b) args.Add(e.Initializer(layer.Name + "_bias", b.Value.Span, outC));
        var pads = Pads(x.Shape, (kh, kw), conv.Strides, conv.Padding, outputShape);
        string name = conv.Activation == ActivationKind.Linear ? layer.Name : layer.Name + "_conv";
        var y = new Value(e.Node("Conv", name, args, Ints("kernel_shape", kh, kw), Ints("strides", conv.Strides.H, conv.Strides.W),
            Ints("pads", pads), Ints("dilations", 1, 1), Int("group", 1)), outputShape);
        return e.Activate(y, conv.Activation, layer.Name);
    }

    private static Value ExportPooling(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var pool = (Pooling2D)layer;
        var x = RequireImage(inputs[0], layer);
        long[] pads = pool.ExplicitPadding is { } p ? [p.H.Top, p.W.Left, p.H.Bottom, p.W.Right]
            : Pads(x.Shape, pool.PoolSize, pool.Strides, pool.Padding, outputShape);
        // Padded positions never win a max and are not counted in an average, as in Keras ("same") and ONNX.
        var attributes = new List<Proto.AttributeProto>
        {
            Ints("kernel_shape", pool.PoolSize.H, pool.PoolSize.W), Ints("strides", pool.Strides.H, pool.Strides.W), Ints("pads", pads),
        };
        if (layer is AveragePooling2D) attributes.Add(Int("count_include_pad", 0));
        return new(e.Node(layer is MaxPooling2D ? "MaxPool" : "AveragePool", layer.Name, [x.Name], [.. attributes]), outputShape);
    }

    private static Value ExportGlobalPooling(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var x = RequireImage(inputs[0], layer);
        bool keep = layer is GlobalAveragePooling2D { Keepdims: true } or GlobalMaxPooling2D { Keepdims: true };
        string op = layer is GlobalMaxPooling2D ? "GlobalMaxPool" : "GlobalAveragePool";
        string pooled = e.Node(op, keep ? layer.Name : layer.Name + "_pool", [x.Name]);
        return keep ? new(pooled, outputShape) : new(e.Node("Flatten", layer.Name, [pooled], Int("axis", 1)), outputShape);
    }

    private static Value ExportZeroPadding2D(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var p = ((ZeroPadding2D)layer).Padding;
        var x = RequireImage(inputs[0], layer);
        string pads = e.Int64Initializer(layer.Name + "_pads", 0, 0, p.H.Top, p.W.Left, 0, 0, p.H.Bottom, p.W.Right);
        return new(e.Node("Pad", layer.Name, [x.Name, pads], new Proto.AttributeProto { Name = "mode", Type = Proto.AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("constant") }), outputShape);
    }

    private static Value ExportBatchNormalization(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var bn = (BatchNormalization)layer;
        var x = inputs[0];
        int c = x.Shape[^1];
        string W(string weight) => e.Initializer($"{layer.Name}_{weight}", bn.Parameters.First(q => q.Name == weight).Value.Span, c);
        string[] args = [x.Name, W("gamma"), W("beta"), W("moving_mean"), W("moving_variance")];
        var eps = Float("epsilon", bn.Epsilon);
        if (x.Shape.Length is 1 or 3)   // (N, C) or NCHW: ONNX normalizes axis 1, DeepSharp the last (the channels)
            return new(e.Node("BatchNormalization", layer.Name, args, eps), outputShape);
        // Other ranks: move the last axis to axis 1 and back.
        int r = x.Shape.Length + 1;
        long[] toFirst = [0, r - 1, .. Enumerable.Range(1, r - 2).Select(i => (long)i)];
        long[] back = [0, .. Enumerable.Range(2, r - 2).Select(i => (long)i), 1];
        var moved = e.Transpose(x.Name, toFirst, layer.Name + "_channels_first", x.Shape);
        args[0] = moved.Name;
        string normalized = e.Node("BatchNormalization", layer.Name + "_bn", args, eps);
        return e.Transpose(normalized, back, layer.Name, outputShape);
    }

    // ---- helpers ----

    private static Value RequireImage(Value x, Layer layer) => x.IsImage ? x
        : throw new ArgumentException($"it reads input of shape (None, {string.Join(", ", x.Shape)}) but exports only on images (batch, h, w, c).");

    /// <summary>ONNX pads (top, left, bottom, right) for Keras' "valid"/"same" (same: the extra row/column at the bottom/right, as TensorFlow).</summary>
    private static long[] Pads(int[] input, (int H, int W) k, (int H, int W) s, Padding padding, int[] output)
    {
        if (padding == Padding.Valid) return [0, 0, 0, 0];
        int ph = Math.Max((output[0] - 1) * s.H + k.H - input[0], 0), pw = Math.Max((output[1] - 1) * s.W + k.W - input[1], 0);
        return [ph / 2, pw / 2, ph - ph / 2, pw - pw / 2];
    }
}
