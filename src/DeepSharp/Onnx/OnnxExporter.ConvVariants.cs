using DeepSharp.Backends.Cpu;
using DeepSharp.Layers;

namespace DeepSharp.Onnx;

/// <summary>
/// Keras 3's next layers, on NCHW values: DepthwiseConv2D and SeparableConv2D as grouped Conv (then a 1×1 Conv),
/// Conv2DTranspose as ConvTranspose, UpSampling2D as Resize, LayerNormalization as LayerNormalization (opset 17),
/// SpatialDropout2D as nothing (inference).
/// </summary>
internal sealed partial class OnnxExporter
{
    /// <summary>A grouped Conv: group = in channels, weight (in·M, 1, kh, kw) from Keras' (kh, kw, in, M).</summary>
    private string DepthwiseConv(string layer, string input, int[] inShape, Tensor kernel, Parameter? bias, (int H, int W) strides,
        Padding padding, int[] outputShape, string name)
    {
        int kh = kernel.Dim(0), kw = kernel.Dim(1), c = kernel.Dim(2), m = kernel.Dim(3);
        var k = kernel.Span;
        var w = new float[k.Length];
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
                for (int ci = 0; ci < c; ci++)
                    for (int mi = 0; mi < m; mi++)
                        w[((ci * m + mi) * kh + ky) * kw + kx] = k[((ky * kw + kx) * c + ci) * m + mi];
        List<string> args = [input, Initializer(layer + "_depthwise_kernel", w, c * m, 1, kh, kw)];
        if (bias is not null) args.Add(Initializer(layer + "_bias", bias.Value.Span, c * m));
        return Node("Conv", name, args, Ints("kernel_shape", kh, kw), Ints("strides", strides.H, strides.W),
            Ints("pads", Pads(inShape, (kh, kw), strides, padding, outputShape)), Ints("dilations", 1, 1), Int("group", c));
    }

    private static Value ExportDepthwiseConv2D(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var d = (DepthwiseConv2D)layer;
        var x = RequireImage(inputs[0], layer);
        string name = d.Activation == ActivationKind.Linear ? layer.Name : layer.Name + "_conv";
        var y = new Value(e.DepthwiseConv(layer.Name, x.Name, x.Shape, d.Kernel.Value, d.Bias, d.Strides, d.Padding, outputShape, name), outputShape);
        return e.Activate(y, d.Activation, layer.Name);
    }

    private static Value ExportSeparableConv2D(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var s = (SeparableConv2D)layer;
        var x = RequireImage(inputs[0], layer);
        int cm = s.PointwiseKernel.Value.Dim(2), f = s.Filters;
        int[] midShape = [outputShape[0], outputShape[1], cm];
        string mid = e.DepthwiseConv(layer.Name, x.Name, x.Shape, s.DepthwiseKernel.Value, null, s.Strides, s.Padding, midShape, layer.Name + "_depthwise");
        // Keras' (1, 1, in·M, filters) pointwise kernel → ONNX's (filters, in·M, 1, 1).
        var p = s.PointwiseKernel.Value.Span;
        var w = new float[p.Length];
        for (int j = 0; j < cm; j++)
            for (int o = 0; o < f; o++)
                w[o * cm + j] = p[j * f + o];
        List<string> args = [mid, e.Initializer(layer.Name + "_pointwise_kernel", w, f, cm, 1, 1)];
        if (s.Bias is { } b) args.Add(e.Initializer(layer.Name + "_bias", b.Value.Span, f));
        string name = s.Activation == ActivationKind.Linear ? layer.Name : layer.Name + "_conv";
        var y = new Value(e.Node("Conv", name, args, Ints("kernel_shape", 1, 1), Ints("strides", 1, 1), Ints("pads", 0, 0, 0, 0),
            Ints("dilations", 1, 1), Int("group", 1)), outputShape);
        return e.Activate(y, s.Activation, layer.Name);
    }

    /// <summary>
    /// ConvTranspose, the adjoint of the convolution <see cref="ConvGeometry.ForTranspose"/> describes: pads begin with that
    /// convolution's padding; ONNX's size s·(in - 1) + k + output_padding - pads_begin - pads_end then gives Keras' size
    /// with pads_end ≥ 0, or with output_padding taking the rows past the last window.
    /// </summary>
    private static Value ExportConv2DTranspose(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var t = (Conv2DTranspose)layer;
        var x = RequireImage(inputs[0], layer);
        var (kh, kw) = t.KernelSize;
        int c = x.Shape[2], f = t.Filters;
        var g = ConvGeometry.ForTranspose(1, x.Shape[0], x.Shape[1], f, kh, kw, t.Strides.H, t.Strides.W, t.Padding, t.OutputPadding);
        long endH = (long)t.Strides.H * (x.Shape[0] - 1) + kh - g.PadTop - g.InH, endW = (long)t.Strides.W * (x.Shape[1] - 1) + kw - g.PadLeft - g.InW;
        // Keras' (kh, kw, filters, in) kernel → ONNX's (in, filters, kh, kw).
        var k = t.Kernel.Value.Span;
        var w = new float[k.Length];
        for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
                for (int o = 0; o < f; o++)
                    for (int i = 0; i < c; i++)
                        w[((i * f + o) * kh + ky) * kw + kx] = k[((ky * kw + kx) * f + o) * c + i];
        List<string> args = [x.Name, e.Initializer(layer.Name + "_kernel", w, c, f, kh, kw)];
        if (t.Bias is { } b) args.Add(e.Initializer(layer.Name + "_bias", b.Value.Span, f));
        string name = t.Activation == ActivationKind.Linear ? layer.Name : layer.Name + "_conv";
        var y = new Value(e.Node("ConvTranspose", name, args, Ints("kernel_shape", kh, kw), Ints("strides", t.Strides.H, t.Strides.W),
            Ints("pads", g.PadTop, g.PadLeft, Math.Max(endH, 0), Math.Max(endW, 0)),
            Ints("output_padding", Math.Max(-endH, 0), Math.Max(-endW, 0)), Ints("dilations", 1, 1), Int("group", 1)), outputShape);
        return e.Activate(y, t.Activation, layer.Name);
    }

    /// <summary>Resize by the integer factors: nearest as floor(o / s) (asymmetric), bilinear with half-pixel centers.</summary>
    private static Value ExportUpSampling2D(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var u = (UpSampling2D)layer;
        var x = RequireImage(inputs[0], layer);
        bool bilinear = u.Interpolation == "bilinear";
        string scales = e.Initializer(layer.Name + "_scales", [1f, 1f, u.Size.H, u.Size.W], 4);
        return new(e.Node("Resize", layer.Name, [x.Name, "", scales], Str("mode", bilinear ? "linear" : "nearest"),
            Str("coordinate_transformation_mode", bilinear ? "half_pixel" : "asymmetric"), Str("nearest_mode", "floor")), outputShape);
    }

    /// <summary>
    /// LayerNormalization (opset 17) over the trailing axes: images normalized over (h, w, c) stay NCHW (gamma and beta
    /// permuted to (c, h, w)); other axes of images are normalized in NHWC order between two transposes.
    /// </summary>
    private static Value ExportLayerNormalization(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape)
    {
        var ln = (LayerNormalization)layer;
        if (e._opset < 17)
            throw new ArgumentException($"ONNX has LayerNormalization from opset 17; this export asks for opset {e._opset}. Export with opset 17.");
        var x = inputs[0];
        int count = ln.Axis.Count, d = x.Shape.TakeLast(count).Aggregate(1, (a, b) => a * b);
        bool wholeImage = x.IsImage && count == 3;
        float[] Values(Parameter? p, float fallback)
        {
            var v = new float[d];
            if (p is null) { Array.Fill(v, fallback); return v; }
            if (!wholeImage) { p.Value.Span.CopyTo(v); return v; }
            int h = x.Shape[0], w = x.Shape[1], c = x.Shape[2];
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    for (int k = 0; k < c; k++)
                        v[(k * h + i) * w + j] = p.Value.Span[(i * w + j) * c + k];
            return v;
        }
        long[] dims = wholeImage ? [x.Shape[2], x.Shape[0], x.Shape[1]] : x.Shape.TakeLast(count).Select(n => (long)n).ToArray();
        string scale = e.Initializer(layer.Name + "_gamma", Values(ln.Gamma, 1f), dims);
        string bias = e.Initializer(layer.Name + "_beta", Values(ln.Beta, 0f), dims);
        var eps = Float("epsilon", ln.Epsilon);
        if (wholeImage || !x.IsImage)
            return new(e.Node("LayerNormalization", layer.Name, [x.Name, scale, bias], Int("axis", -count), eps), outputShape);
        string nhwc = e.ToNhwc(x, layer.Name + "_nhwc");
        string normalized = e.Node("LayerNormalization", layer.Name + "_normalized", [nhwc, scale, bias], Int("axis", -count), eps);
        return e.FromNhwc(normalized, outputShape, layer.Name);
    }

    private static Proto.AttributeProto Str(string name, string value) =>
        new() { Name = name, Type = Proto.AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };
}
