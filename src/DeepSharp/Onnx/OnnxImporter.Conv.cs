using DeepSharp.Layers;
using DeepSharp.Onnx.Proto;
using static DeepSharp.Onnx.OnnxFile;

namespace DeepSharp.Onnx;

/// <summary>Convolution, batch normalization, pooling and padding: the image ops, all on NHWC values.</summary>
internal sealed partial class OnnxImporter
{
    private static void Conv(OnnxImporter m, NodeProto n)
    {
        var x = m.Image(n);
        var w = m.RequireConst(n, 1, "weight");
        if (w.Dims.Length != 4) throw m.Unsupported(n, $"the weight has shape ({string.Join(", ", w.Dims)}); a 2-D convolution's is (out, in, kh, kw)");
        if (Int(n, "group", 1) != 1) throw m.Unsupported(n, $"grouped convolutions (group {Int(n, "group", 1)}) are not supported");
        m.RequireOnes(n, "dilations");
        int outC = (int)w.Dims[0], inC = (int)w.Dims[1], kh = (int)w.Dims[2], kw = (int)w.Dims[3];
        if (Ints(n, "kernel_shape") is { } ks && !ks.SequenceEqual([w.Dims[2], w.Dims[3]]))
            throw m.Unsupported(n, $"kernel_shape ({string.Join(", ", ks)}) does not match the weight's ({kh}, {kw})");
        int h = x.Sym.Shape[0], wd = x.Sym.Shape[1], c = x.Sym.Shape[2];
        if (inC != c) throw m.Unsupported(n, $"the weight expects {inC} input channels but the input has {c}");
        var (sh, sw) = m.Strides(n);
        var (t, l, b, r) = m.Pads(n, h, wd, kh, kw, sh, sw);
        string name = m.LayerName(n);
        bool same = sh == 1 && sw == 1 && kh % 2 == 1 && kw % 2 == 1 && t == b && t == kh / 2 && l == r && l == kw / 2;
        if (!same && (t | l | b | r) != 0)
            x = m.Apply(new ZeroPadding2D(((t, b), (l, r)), m.UniqueName(name + "_pad")), true, x);
        var bias = m.Const(n, 2);
        var conv = new Conv2D(outC, (kh, kw), (sh, sw), same && t > 0 ? "same" : "valid", useBias: bias is not null, name: name);
        var y = m.Apply(conv, true, x);
        var k = new float[w.Count];
        for (int o = 0; o < outC; o++)
            for (int i = 0; i < inC; i++)
                for (int ky = 0; ky < kh; ky++)
                    for (int kx = 0; kx < kw; kx++)
                        k[((ky * kw + kx) * inC + i) * outC + o] = w.Values[((o * inC + i) * kh + ky) * kw + kx];
        m.SetWeight(conv, "kernel", k, n);
        if (bias is not null) m.SetWeight(conv, "bias", bias.Values, n);
        m.Set(n, y);
    }

    private static void BatchNormalization(OnnxImporter m, NodeProto n)
    {
        if (Int(n, "training_mode", 0) != 0 || n.Output.Skip(1).Any(o => o.Length > 0))
            throw m.Unsupported(n, "training-mode batch normalization (extra outputs) is not supported; export the model in eval mode");
        if (Int(n, "spatial", 1) != 1) throw m.Unsupported(n, "spatial=0 (per-pixel statistics) is not supported");
        var x = m.Var(n, 0);
        if (x.Rank == 4) x = m.ChannelsLast(x, n);
        else if (x.Rank != 2) throw m.Unsupported(n, $"inputs of rank {x.Rank} are not supported (rank 2 or 4: the channel axis must become the last)");
        int c = x.Sym.Shape[^1];
        var bn = new BatchNormalization(Float(n, "momentum", 0.9f), Float(n, "epsilon", 1e-5f), name: m.LayerName(n));
        var y = m.Apply(bn, x.ChannelsLast, x);
        string[] weights = ["gamma", "beta", "moving_mean", "moving_variance"];
        for (int i = 0; i < 4; i++)
        {
            var p = m.RequireConst(n, i + 1, weights[i]);
            // A variance below 0 (or a negative epsilon taking it there) has no square root: every output would be NaN.
            if (i == 3 && Array.FindIndex(p.Values, v => v + bn.Epsilon <= 0) is var neg and >= 0)
                throw m.Error($"node '{NodeName(n)}' ({n.OpType}): its variance holds {p.Values[neg]} at index {neg}, and variance + epsilon ({bn.Epsilon}) must be positive; " +
                    "a variance is never negative, so the file is damaged. Export the model again.");
            m.SetWeight(bn, weights[i], p.Values, n);
        }
        m.Set(n, y);
    }

    private static void MaxPool(OnnxImporter m, NodeProto n)
    {
        if (n.Output.Skip(1).Any(o => o.Length > 0)) throw m.Unsupported(n, "the indices output is not supported");
        Pool(m, n, max: true);
    }

    private static void AveragePool(OnnxImporter m, NodeProto n) => Pool(m, n, max: false);

    private static void Pool(OnnxImporter m, NodeProto n, bool max)
    {
        var x = m.Image(n);
        m.RequireOnes(n, "dilations");
        var ks = Ints(n, "kernel_shape") ?? throw m.Unsupported(n, "it has no kernel_shape");
        if (ks.Length != 2) throw m.Unsupported(n, $"only 2-D pooling is supported (kernel_shape has {ks.Length} values)");
        if (ks.Any(k => k <= 0 || k > int.MaxValue)) throw m.Unsupported(n, $"kernel_shape ({string.Join(", ", ks)}) is not two positive sizes");
        int kh = (int)ks[0], kw = (int)ks[1], h = x.Sym.Shape[0], w = x.Sym.Shape[1];
        var (sh, sw) = m.Strides(n);
        var (t, l, b, r) = m.Pads(n, h, w, kh, kw, sh, sw);
        if (Int(n, "ceil_mode", 0) != 0)
        {
            // Ceil mode keeps a last, partial window: the same as more padding at the bottom/right.
            b += (sh - (h + t + b - kh) % sh) % sh;
            r += (sw - (w + l + r - kw) % sw) % sw;
        }
        string name = m.LayerName(n);
        bool padded = (t | l | b | r) != 0;
        if (!max && padded && Int(n, "count_include_pad", 0) != 0)
        {
            x = m.Apply(new ZeroPadding2D(((t, b), (l, r)), m.UniqueName(name + "_pad")), true, x);
            padded = false;
        }
        if (padded && (t >= kh || b >= kh || l >= kw || r >= kw))
            throw m.Unsupported(n, $"pads ({t}, {l}, {b}, {r}) reach beyond the {kh}×{kw} window");
        Pooling2D layer = (max, padded) switch
        {
            (true, true) => new MaxPooling2D((kh, kw), (sh, sw), ((t, b), (l, r)), name),
            (true, false) => new MaxPooling2D((kh, kw), (sh, sw), "valid", name),
            (false, true) => new AveragePooling2D((kh, kw), (sh, sw), ((t, b), (l, r)), name),
            _ => new AveragePooling2D((kh, kw), (sh, sw), "valid", name),
        };
        m.Set(n, m.Apply(layer, true, x));
    }

    private static void GlobalAveragePool(OnnxImporter m, NodeProto n) =>
        m.Set(n, m.Apply(new GlobalAveragePooling2D(m.LayerName(n), keepdims: true), true, m.Image(n)));

    private static void Pad(OnnxImporter m, NodeProto n)
    {
        var x = m.Image(n);
        string mode = String(n, "mode", "constant");
        if (mode != "constant") throw m.Unsupported(n, $"mode \"{mode}\" is not supported (only constant zero padding)");
        long[] pads = m._opset < 11 ? Ints(n, "pads") ?? [] : m.RequireConst(n, 1, "pads").AsLongs();
        float value = m._opset < 11 ? Float(n, "value", 0f) : m.Const(n, 2) is { } v ? v.Values.FirstOrDefault() : 0f;
        if (value != 0f) throw m.Unsupported(n, $"padding with {value} is not supported (only zeros)");
        if (pads.Length != 8) throw m.Unsupported(n, $"it has {pads.Length} pads; a rank-4 input needs 8");
        if (pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) throw m.Unsupported(n, "it pads the batch or channel axis (only height and width can be padded)");
        if (pads.Any(p => p < 0)) throw m.Unsupported(n, "negative pads (cropping) are not supported");
        if (pads.Any(p => p > MaxPad)) throw m.Unsupported(n, $"pads ({string.Join(", ", pads)}) exceed {MaxPad} pixels a side");
        var layer = new ZeroPadding2D((((int)pads[2], (int)pads[6]), ((int)pads[3], (int)pads[7])), m.LayerName(n));
        m.Set(n, m.Apply(layer, true, x));
    }

    // ---- helpers ----

    /// <summary>Input 0 as an NHWC image; other ranks are refused.</summary>
    private Value Image(NodeProto n)
    {
        var x = Var(n, 0);
        if (x.Rank != 4) throw Unsupported(n, $"only images (rank-4 inputs, 2-D ops) are supported, got rank {x.Rank}");
        return ChannelsLast(x, n);
    }

    private (int H, int W) Strides(NodeProto n)
    {
        var s = Ints(n, "strides") ?? [1, 1];
        if (s.Length != 2 || s.Any(v => v <= 0 || v > int.MaxValue)) throw Unsupported(n, $"strides ({string.Join(", ", s)}) are not two positive numbers");
        return ((int)s[0], (int)s[1]);
    }

    /// <summary>(top, left, bottom, right) from pads or auto_pad, for an input of h×w.</summary>
    private (int T, int L, int B, int R) Pads(NodeProto n, int h, int w, int kh, int kw, int sh, int sw)
    {
        string auto = String(n, "auto_pad", "NOTSET");
        if (auto is "SAME_UPPER" or "SAME_LOWER")
        {
            int padH = Math.Max(((h + sh - 1) / sh - 1) * sh + kh - h, 0), padW = Math.Max(((w + sw - 1) / sw - 1) * sw + kw - w, 0);
            return auto == "SAME_UPPER" ? (padH / 2, padW / 2, padH - padH / 2, padW - padW / 2) : (padH - padH / 2, padW - padW / 2, padH / 2, padW / 2);
        }
        if (auto is not ("NOTSET" or "" or "VALID")) throw Unsupported(n, $"auto_pad \"{auto}\" is not known");
        var p = auto == "VALID" ? [0, 0, 0, 0] : Ints(n, "pads") ?? [0, 0, 0, 0];
        if (p.Length != 4 || p.Any(v => v < 0 || v > MaxPad)) throw Unsupported(n, $"pads ({string.Join(", ", p)}) are not four non-negative numbers");
        return ((int)p[0], (int)p[1], (int)p[2], (int)p[3]);
    }

    private void RequireOnes(NodeProto n, string attribute)
    {
        if (Ints(n, attribute) is { } d && d.Any(v => v != 1))
            throw Unsupported(n, $"{attribute} ({string.Join(", ", d)}) other than 1 are not supported");
    }

    /// <summary>The most padding imported on one side (a larger value is a damaged file, not a model).</summary>
    private const long MaxPad = 1 << 16;

    /// <summary>Copies converted weights into a built layer's parameter, checking the size and that every value is finite.</summary>
    private void SetWeight(Layer layer, string weight, float[] values, NodeProto n)
    {
        var p = layer.Parameters.First(q => q.Name == weight);
        if (p.Value.Size != values.Length)
            throw Unsupported(n, $"its {weight} has {values.Length} values but layer '{layer.Name}' needs {Tensor.FormatShape(p.Value.Shape)} = {p.Value.Size}");
        int bad = Array.FindIndex(values, v => !float.IsFinite(v));
        if (bad >= 0)
            throw Error($"node '{NodeName(n)}' ({n.OpType}): its {weight} holds {values[bad]} at index {bad}; weights must be finite numbers. The file is damaged, or the model was exported after its training diverged.");
        values.CopyTo(p.Value.Span);
    }

    /// <summary>Refuses a constant (a mean, a scale) that holds NaN or ±inf.</summary>
    private void RequireFinite(OnnxConstant c, NodeProto n)
    {
        int bad = Array.FindIndex(c.Values, v => !float.IsFinite(v));
        if (bad >= 0)
            throw Error($"node '{NodeName(n)}' ({n.OpType}): constant '{c.Name}' holds {c.Values[bad]} at index {bad}; it must hold finite numbers. The file is damaged.");
    }
}
