using DeepSharp.Layers;
using DeepSharp.Onnx.Proto;
using static DeepSharp.Onnx.OnnxFile;

namespace DeepSharp.Onnx;

/// <summary>Activations, arithmetic, dropout and constants: ops that keep their input's layout.</summary>
internal sealed partial class OnnxImporter
{
    private static readonly Dictionary<string, Action<OnnxImporter, NodeProto>> Handlers = new()
    {
        ["Conv"] = Conv,
        ["BatchNormalization"] = BatchNormalization,
        ["MaxPool"] = MaxPool,
        ["AveragePool"] = AveragePool,
        ["GlobalAveragePool"] = GlobalAveragePool,
        ["Pad"] = Pad,
        ["Relu"] = (m, n) => m.Activation(n, "relu"),
        ["Sigmoid"] = (m, n) => m.Activation(n, "sigmoid"),
        ["Tanh"] = (m, n) => m.Activation(n, "tanh"),
        ["LeakyRelu"] = (m, n) => m.Same(n, new LeakyReLU(Float(n, "alpha", 0.01f), m.LayerName(n))),
        ["Softmax"] = Softmax,
        ["Clip"] = Clip,
        ["Add"] = (m, n) => m.Arithmetic(n, "add"),
        ["Sub"] = (m, n) => m.Arithmetic(n, "subtract"),
        ["Mul"] = (m, n) => m.Arithmetic(n, "multiply"),
        ["Dropout"] = Dropout,
        ["Identity"] = (m, n) => m.Alias(n),
        ["Constant"] = Constant,
        ["Gemm"] = Gemm,
        ["MatMul"] = MatMul,
        ["Flatten"] = Flatten,
        ["Reshape"] = Reshape,
        ["Concat"] = Concat,
        ["Split"] = Split,
        ["Transpose"] = Transpose,
    };

    private void Activation(NodeProto n, string kind) => Same(n, new Layers.Activation(kind, LayerName(n)));

    /// <summary>Applies a layer that keeps the shape and layout of input 0.</summary>
    private void Same(NodeProto n, Layer layer)
    {
        var x = Var(n, 0);
        Set(n, Apply(layer, x.ChannelsLast, x) with { FlattenedFrom = x.FlattenedFrom });
    }

    private void Alias(NodeProto n)
    {
        if (Const(n, 0) is { } c) _constants[n.Output[0]] = c with { Name = n.Output[0] };
        else Set(n, Var(n, 0));
    }

    private static void Softmax(OnnxImporter m, NodeProto n)
    {
        var x = m.Var(n, 0);
        long axis = Int(n, "axis", m._opset < 13 ? 1 : -1);
        int kerasAxis = m.KerasAxis(x, axis, n);   // checks the range first
        long a = axis < 0 ? axis + x.Rank : axis;
        if (m._opset < 13 && a != x.Rank - 1 && x.OnnxShape.Skip((int)a).Aggregate(1L, (p, d) => p * d) != x.OnnxShape[(int)a - 1])
            throw m.Unsupported(n, $"before opset 13 Softmax runs over all axes from {axis} on; DeepSharp supports one axis (the last)");
        m.Set(n, m.Apply(new Layers.Softmax(kerasAxis, m.LayerName(n)), x.ChannelsLast, x));
    }

    private static void Clip(OnnxImporter m, NodeProto n)
    {
        float lo = m._opset < 11 ? Float(n, "min", float.NegativeInfinity) : m.Const(n, 1) is { } a ? a.Values[0] : float.NegativeInfinity;
        float hi = m._opset < 11 ? Float(n, "max", float.PositiveInfinity) : m.Const(n, 2) is { } b ? b.Values[0] : float.PositiveInfinity;
        if (m._opset >= 11 && (n.Input.Count > 1 && n.Input[1].Length > 0 && !m.IsConst(n, 1) || n.Input.Count > 2 && n.Input[2].Length > 0 && !m.IsConst(n, 2)))
            throw m.Unsupported(n, "its min and max must be constants");
        if (float.IsNaN(lo) || float.IsNaN(hi)) throw m.Unsupported(n, $"its min ({lo}) and max ({hi}) must be numbers");
        if (lo > hi) throw m.Unsupported(n, $"min {lo} is larger than max {hi}");
        var x = m.Var(n, 0);
        string name = m.LayerName(n);
        // ReLU(maxValue: hi - lo) on x - lo, then + lo; with no lower bound, ReLU(maxValue: 0, slope 1) on x - hi, then + hi.
        float shift = float.IsFinite(lo) ? lo : float.IsFinite(hi) ? hi : 0f;
        if (shift != 0f) x = m.Apply(new ElementwiseConstant("subtract", Tensor.FromArray([shift], 1), m.UniqueName(name + "_shift")), x.ChannelsLast, x);
        var relu = float.IsFinite(lo) ? new ReLU(float.IsFinite(hi) ? hi - lo : null, name: name)
            : new ReLU(float.IsFinite(hi) ? 0f : null, negativeSlope: 1f, name: name);
        x = m.Apply(relu, x.ChannelsLast, x);
        if (shift != 0f) x = m.Apply(new ElementwiseConstant("add", Tensor.FromArray([shift], 1), m.UniqueName(name + "_unshift")), x.ChannelsLast, x);
        m.Set(n, x);
    }

    private void Arithmetic(NodeProto n, string op)
    {
        var (ca, cb) = (Const(n, 0), Const(n, 1));
        if (ca is not null && cb is not null) { FoldArithmetic(n, op, ca, cb); return; }
        string name = LayerName(n);
        if (ca is not null || cb is not null)
        {
            var x = Var(n, ca is null ? 0 : 1);
            if (x.FlattenedFrom is not null) x = Materialize(x);
            var c = ConstantFor(x, ca ?? cb!, n);
            string kind = op == "subtract" && ca is not null ? "reverse_subtract" : op;
            Set(n, Apply(new ElementwiseConstant(kind, c, name), x.ChannelsLast, x));
            return;
        }
        var (a, b) = (Var(n, 0), Var(n, 1));
        if (a.Rank == 4 || b.Rank == 4) (a, b) = (ChannelsLast(a, n), ChannelsLast(b, n));
        else (a, b) = (OnnxOrder(a, n), OnnxOrder(b, n));
        if (!a.Sym.Shape.SequenceEqual(b.Sym.Shape))
            throw Unsupported(n, $"its inputs have shapes ({string.Join(", ", a.OnnxShape)}) and ({string.Join(", ", b.OnnxShape)}) per sample; broadcasting between two computed tensors is not supported");
        Layer layer = op switch { "add" => new Layers.Add(name), "subtract" => new Subtract(name), _ => new Multiply(name) };
        Set(n, Apply(layer, a.ChannelsLast, a, b));
    }

    /// <summary>An ONNX constant broadcast against value <paramref name="v"/>, as a per-sample tensor in v's layout.</summary>
    private Tensor ConstantFor(Value v, OnnxConstant c, NodeProto n)
    {
        if (c.Dims.Length > v.Rank) throw Unsupported(n, $"the constant of shape ({string.Join(", ", c.Dims)}) has a higher rank than the data ({v.Rank})");
        var dims = Enumerable.Repeat(1L, v.Rank - c.Dims.Length).Concat(c.Dims).Select(d => (int)d).ToArray();
        if (dims[0] != 1) throw Unsupported(n, $"the constant of shape ({string.Join(", ", c.Dims)}) varies along the batch axis");
        var sample = dims[1..];
        RequireFinite(c, n);
        var t = new Tensor(c.Values, sample.Length == 0 ? [1] : sample);
        if (v.ChannelsLast)
        {
            var hwc = new Tensor(sample[1], sample[2], sample[0]);
            Backends.Cpu.AxisOps.Permute(new Tensor(c.Values, sample), hwc, [1, 2, 0]);
            t = hwc;
        }
        if (!Backends.Cpu.BroadcastOps.Broadcasts(t.Shape, v.Sym.Shape))
            throw Unsupported(n, $"the constant of shape ({string.Join(", ", c.Dims)}) does not broadcast against the data ({string.Join(", ", v.OnnxShape)} per sample) without enlarging it");
        return t;
    }

    private void FoldArithmetic(NodeProto n, string op, OnnxConstant a, OnnxConstant b)
    {
        bool same = a.Dims.SequenceEqual(b.Dims);
        if (!same && a.Count != 1 && b.Count != 1) throw Unsupported(n, "it combines two constants of different shapes");
        var dims = a.Count >= b.Count ? a.Dims : b.Dims;
        var r = new float[Math.Max(a.Count, b.Count)];
        for (int i = 0; i < r.Length; i++)
        {
            float x = a.Values[a.Count == 1 ? 0 : i], y = b.Values[b.Count == 1 ? 0 : i];
            r[i] = op switch { "add" => x + y, "subtract" => x - y, _ => x * y };
        }
        _constants[n.Output[0]] = new OnnxConstant(n.Output[0], dims, r);
    }

    private static void Dropout(OnnxImporter m, NodeProto n)
    {
        if (n.Output.Skip(1).Any(o => o.Length > 0)) throw m.Unsupported(n, "the mask output is not supported");
        if (m._opset >= 12 && m.Const(n, 2) is { } t && t.Values.Any(v => v != 0f)) throw m.Unsupported(n, "training_mode=true is not supported");
        if (m._opset >= 12 && n.Input.Count > 2 && n.Input[2].Length > 0 && !m.IsConst(n, 2)) throw m.Unsupported(n, "its training_mode must be a constant");
        float rate = m._opset >= 12 ? m.Const(n, 1) is { } r ? r.Values[0] : 0.5f : Float(n, "ratio", 0.5f);
        if (!(rate >= 0f && rate < 1f)) throw m.Unsupported(n, $"ratio {rate} is outside [0, 1)");
        m.Same(n, new Layers.Dropout(rate, name: m.LayerName(n)));
    }

    private static void Constant(OnnxImporter m, NodeProto n)
    {
        string output = n.Output[0];
        var a = n.Attribute.FirstOrDefault() ?? throw m.Unsupported(n, "it has no value");
        m._constants[output] = a.Name switch
        {
            "value" => ToConstant(a.T, m._file) with { Name = output },
            "value_float" => new OnnxConstant(output, [], [a.F]),
            "value_floats" => new OnnxConstant(output, [a.Floats.Count], a.Floats.ToArray()),
            "value_int" => new OnnxConstant(output, [], [a.I]),
            "value_ints" => new OnnxConstant(output, [a.Ints.Count], a.Ints.Select(v => (float)v).ToArray()),
            _ => throw m.Unsupported(n, $"a constant given as {a.Name} is not supported"),
        };
    }

    /// <summary>Keras' axis (batch axis counted) for ONNX axis <paramref name="axis"/> of value <paramref name="v"/>.</summary>
    private int KerasAxis(Value v, long axis, NodeProto n)
    {
        long a = axis < 0 ? axis + v.Rank : axis;
        if (a <= 0 || a >= v.Rank)
            throw Unsupported(n, a == 0 ? "it works along the batch axis (0), which DeepSharp keeps free" : $"axis {axis} is out of range for rank {v.Rank}");
        return v.ChannelsLast ? a == 1 ? 3 : (int)a - 1 : (int)a;
    }
}
