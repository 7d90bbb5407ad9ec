using DeepSharp.Layers;
using DeepSharp.Onnx.Proto;
using static DeepSharp.Onnx.OnnxFile;

namespace DeepSharp.Onnx;

/// <summary>Dense layers (Gemm, MatMul) and the ops that move or regroup values: Flatten, Reshape, Concat, Split.</summary>
internal sealed partial class OnnxImporter
{
    private static void Gemm(OnnxImporter m, NodeProto n)
    {
        if (Int(n, "transA", 0) != 0) throw m.Unsupported(n, "transA=1 (a transposed input) is not supported");
        var x = m.Var(n, 0);
        if (x.Rank != 2) throw m.Unsupported(n, $"its input has rank {x.Rank}; Gemm takes rank 2");
        var b = m.RequireConst(n, 1, "weight B");
        if (b.Dims.Length != 2) throw m.Unsupported(n, $"B has shape ({string.Join(", ", b.Dims)}); expected a matrix");
        bool transB = Int(n, "transB", 0) != 0;
        int k = (int)b.Dims[transB ? 1 : 0], units = (int)b.Dims[transB ? 0 : 1];
        float alpha = Float(n, "alpha", 1f), beta = Float(n, "beta", 1f);
        float[]? bias = null;
        if (n.Input.Count > 2 && n.Input[2].Length > 0)
        {
            var c = m.RequireConst(n, 2, "bias C");
            if (c.Count != 1 && c.Count != units || c.Dims.Length == 2 && c.Dims[0] != 1)
                throw m.Unsupported(n, $"C of shape ({string.Join(", ", c.Dims)}) is not a bias of {units} values (a per-row C depends on the batch)");
            bias = Enumerable.Range(0, units).Select(j => beta * c.Values[c.Count == 1 ? 0 : j]).ToArray();
        }
        var kernel = new float[k * units];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < units; j++)
                kernel[i * units + j] = alpha * b.Values[transB ? j * k + i : i * units + j];
        m.Dense(n, x, kernel, k, units, bias);
    }

    private static void MatMul(OnnxImporter m, NodeProto n)
    {
        var x = m.Var(n, 0);
        if (x.FlattenedFrom is null) x = m.OnnxOrder(x, n);
        var b = m.RequireConst(n, 1, "second matrix");
        if (b.Dims.Length != 2) throw m.Unsupported(n, $"the second input has shape ({string.Join(", ", b.Dims)}); DeepSharp imports MatMul with a constant matrix");
        m.Dense(n, x, b.Values, (int)b.Dims[0], (int)b.Dims[1], null);
    }

    /// <summary>A Dense layer with an ONNX (in, units) kernel; rows are permuted when the input is a flattened NHWC image.</summary>
    private void Dense(NodeProto n, Value x, float[] kernel, int k, int units, float[]? bias)
    {
        if (x.Sym.Shape[^1] != k) throw Unsupported(n, $"the weight expects {k} input features but the input has {x.Sym.Shape[^1]}");
        if (x.FlattenedFrom is [int c, int h, int w])
        {
            var permuted = new float[kernel.Length];
            for (int y = 0; y < h; y++)
                for (int xx = 0; xx < w; xx++)
                    for (int ch = 0; ch < c; ch++)
                        Array.Copy(kernel, ((ch * h + y) * w + xx) * units, permuted, ((y * w + xx) * c + ch) * units, units);
            kernel = permuted;
        }
        var dense = new Layers.Dense(units, useBias: bias is not null, name: LayerName(n));
        var result = Apply(dense, false, x with { FlattenedFrom = null });
        SetWeight(dense, "kernel", kernel, n);
        if (bias is not null) SetWeight(dense, "bias", bias, n);
        Set(n, result);
    }

    private static void Flatten(OnnxImporter m, NodeProto n)
    {
        var x = m.Var(n, 0);
        long axis = Int(n, "axis", 1);
        if ((axis < 0 ? axis + x.Rank : axis) != 1) throw m.Unsupported(n, $"axis {axis} mixes the batch axis with others (only axis 1 is supported)");
        m.FlattenValue(n, x);
    }

    /// <summary>(N, …) → (N, features). An NHWC image stays in (h, w, c) order when only Dense layers read the result.</summary>
    private void FlattenValue(NodeProto n, Value x)
    {
        if (x.FlattenedFrom is not null || x.Rank == 2) { Set(n, x); return; }
        bool denseOnly = _graph.Output.All(o => o.Name != n.Output[0])
            && _consumers.TryGetValue(n.Output[0], out var users)
            && users.All(u => u.OpType is "Gemm" or "MatMul" && u.Input[0] == n.Output[0] && Int(u, "transA", 0) == 0);
        var s = x.Sym.Shape;
        bool sameOrder = x.ChannelsLast && (s[0] * s[1] == 1 || s[2] == 1);
        if (x.ChannelsLast && !denseOnly && !sameOrder) x = OnnxOrder(x, n);
        int[]? from = x.ChannelsLast && !sameOrder ? x.OnnxShape : null;
        Set(n, Apply(new Layers.Flatten(LayerName(n)), false, x) with { FlattenedFrom = from });
    }

    private static void Reshape(OnnxImporter m, NodeProto n)
    {
        var x = m.Var(n, 0);
        long[] target = m._opset < 5 ? Ints(n, "shape") ?? [] : m.RequireConst(n, 1, "shape").AsLongs();
        bool allowZero = Int(n, "allowzero", 0) != 0;
        var input = x.FlattenedFrom is { } f ? [f.Aggregate(1, (a, b) => a * b)] : x.OnnxShape;
        int per = input.Aggregate(1, (a, b) => a * b);
        if (target.Length < 2) throw m.Unsupported(n, $"the target shape ({string.Join(", ", target)}) has no batch axis");
        var rest = new int[target.Length - 1];
        for (int i = 1; i < target.Length; i++)
            rest[i - 1] = target[i] == 0 && !allowZero ? i - 1 < input.Length ? input[i - 1] : throw m.Unsupported(n, "a 0 in the target shape copies an axis the input does not have")
                : target[i] is >= -1 and <= int.MaxValue and not 0 ? (int)target[i] : throw m.Unsupported(n, $"target size {target[i]} is not supported");
        int known = rest.Where(d => d > 0).Aggregate(1, (a, b) => a * b);
        bool batchKept = target[0] == 0 && !allowZero
            || target[0] == -1 && !rest.Contains(-1) && known == per
            || target[0] > 0 && target[0] == m._declaredBatch && (rest.Contains(-1) ? per % known == 0 : known == per);
        if (!batchKept)
            throw m.Unsupported(n, $"the target shape ({string.Join(", ", target)}) changes the batch axis (input ({string.Join(", ", input)}) per sample)");
        if (rest.Length == 1 && x.Rank >= 3) { m.FlattenValue(n, x); return; }
        if (x.FlattenedFrom is not null) x = m.Materialize(x);
        x = m.OnnxOrder(x, n);
        m.Set(n, m.Apply(new Layers.Reshape(rest, m.LayerName(n)), false, x));
    }

    private static void Concat(OnnxImporter m, NodeProto n)
    {
        var inputs = Enumerable.Range(0, n.Input.Count).Select(i => m.Var(n, i)).ToList();
        bool image = inputs.Any(v => v.Rank == 4);
        inputs = inputs.Select(v => image ? m.ChannelsLast(v, n) : m.OnnxOrder(v, n)).ToList();
        int axis = m.KerasAxis(inputs[0], Int(n, "axis", 1), n);
        if (inputs.Count == 1) { m.Set(n, inputs[0]); return; }
        m.Set(n, m.Apply(new Concatenate(axis, m.LayerName(n)), image, inputs.ToArray()));
    }

    private static void Split(OnnxImporter m, NodeProto n)
    {
        var x = m.Var(n, 0);
        if (x.FlattenedFrom is not null) x = m.Materialize(x);
        long onnxAxis = Int(n, "axis", 0);
        int axis = m.KerasAxis(x, onnxAxis, n);
        int size = x.Sym.Shape[axis - 1];
        long[] parts = m._opset < 13 ? Ints(n, "split") ?? [] : m.Const(n, 1)?.AsLongs() ?? [];
        if (parts.Length == 0)
        {
            if (size % n.Output.Count != 0) throw m.Unsupported(n, $"axis {onnxAxis} of size {size} does not split into {n.Output.Count} equal parts");
            parts = Enumerable.Repeat((long)(size / n.Output.Count), n.Output.Count).ToArray();
        }
        if (parts.Length != n.Output.Count || parts.Sum() != size || parts.Any(p => p <= 0))
            throw m.Unsupported(n, $"split sizes ({string.Join(", ", parts)}) do not divide axis {onnxAxis} of size {size} into {n.Output.Count} parts");
        int start = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            int stop = start + (int)parts[i];
            string name = n.Output[i].Length > 0 ? m.UniqueName(n.Output[i]) : m.UniqueName($"{NodeName(n)}_{i}");
            if (n.Output[i].Length > 0) m.Set(n, m.Apply(new Layers.Slice(axis, start, stop, name), x.ChannelsLast, x), i);
            start = stop;
        }
    }

    /// <summary>
    /// A transpose that keeps the batch axis first. Between NCHW and NHWC it only changes how DeepSharp holds the value
    /// (no layer: DeepSharp's own exports transpose their NHWC input and before a Flatten); any other order is a Permute.
    /// </summary>
    private static void Transpose(OnnxImporter m, NodeProto n)
    {
        var x = m.Var(n, 0);
        if (x.FlattenedFrom is not null) x = m.Materialize(x);
        long[] perm = Ints(n, "perm") ?? Enumerable.Range(0, x.Rank).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != x.Rank || !perm.Order().SequenceEqual(Enumerable.Range(0, x.Rank).Select(i => (long)i)))
            throw m.Unsupported(n, $"perm ({string.Join(", ", perm)}) is not an order of the {x.Rank} axes");
        if (perm[0] != 0) throw m.Unsupported(n, $"perm ({string.Join(", ", perm)}) moves the batch axis, which DeepSharp keeps first");
        if (x.Rank == 4 && x.ChannelsLast && perm.SequenceEqual([0L, 2, 3, 1])) { m.Set(n, new Value(x.Sym, false)); return; }
        if (x.Rank == 4 && !x.ChannelsLast && perm.SequenceEqual([0L, 3, 1, 2])) { m.Set(n, new Value(x.Sym, true)); return; }
        if (perm.Select((p, i) => p == i).All(same => same)) { m.Set(n, x); return; }
        x = m.OnnxOrder(x, n);
        m.Set(n, m.Apply(new Permute(perm[1..].Select(p => (int)p).ToArray(), m.LayerName(n)), false, x));
    }
}
