using DeepSharp.Onnx.Proto;
using Google.Protobuf;

namespace DeepSharp.Tests.Fuzz;

/// <summary>
/// Structured mutations of an ONNX model, as a careless exporter or an attacker would write them, each producing a
/// well-formed protobuf so the checks behind the parser are reached: node attributes (kernel_shape, strides, pads,
/// dilations, group, axis, auto_pad, ...) set to 0, negative, huge or to lists of the wrong length, or added where the
/// op does not expect them; initializer dims inflated, removed or added, their data cut short, their element type
/// changed, their int64 values (Reshape shapes, Pad pads) set to extremes; graph input dims set to 0, negative or
/// huge; the opset changed; node inputs and outputs dropped or renamed; an op type swapped for another supported one.
/// Deterministic per seed.
/// </summary>
internal sealed class OnnxMutator(int seed, IReadOnlyList<ModelProto> seeds)
{
    private readonly Random _random = new(seed);

    private static readonly long[] Extremes =
        [0, -1, 1, 2, 3, -2, 65536, 70_000_000, int.MaxValue, (long)int.MaxValue + 1, int.MinValue, uint.MaxValue, 1L << 40, 1L << 62, long.MaxValue, long.MinValue];

    private static readonly float[] Floats = [0f, -1f, 1f, 1e30f, -1e30f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, 2f];

    private static readonly string[] AttributeNames =
        ["kernel_shape", "strides", "pads", "dilations", "group", "axis", "auto_pad", "ceil_mode", "count_include_pad",
         "transA", "transB", "alpha", "beta", "epsilon", "momentum", "spatial", "training_mode", "allowzero", "split", "shape",
         "value", "value_float", "value_floats", "value_int", "value_ints", "min", "max", "ratio", "mode"];

    private static readonly string[] OpTypes =
        ["Conv", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "Pad", "Relu", "LeakyRelu", "Softmax",
         "Clip", "Add", "Sub", "Mul", "Dropout", "Identity", "Constant", "Gemm", "MatMul", "Flatten", "Reshape", "Concat", "Split"];

    /// <summary>The kinds of the last mutant's mutations (for the failure message).</summary>
    public string LastKind { get; private set; } = "";

    /// <summary>A mutant of a randomly chosen seed model: 1 to 3 stacked mutations, serialized.</summary>
    public byte[] Next()
    {
        var model = seeds[_random.Next(seeds.Count)].Clone();
        var kinds = new List<string>();
        int rounds = 1 + _random.Next(3);
        for (int r = 0; r < rounds; r++) kinds.Add(MutateOnce(model));
        LastKind = string.Join("+", kinds);
        return model.ToByteArray();
    }

    private long Extreme() => Extremes[_random.Next(Extremes.Length)];

    private T Pick<T>(IList<T> list) => list[_random.Next(list.Count)];

    private string MutateOnce(ModelProto model)
    {
        var g = model.Graph;
        switch (_random.Next(10))
        {
            case 0:
            case 1:   // an existing attribute's value
            {
                var withAttributes = g.Node.Where(n => n.Attribute.Count > 0).ToList();
                if (withAttributes.Count == 0) return "none";
                var a = Pick(Pick(withAttributes).Attribute);
                MutateAttribute(a);
                return $"attr-{a.Name}";
            }
            case 2:   // a new (or replaced) attribute on any node
            {
                var n = Pick(g.Node);
                string name = Pick(AttributeNames);
                var a = n.Attribute.FirstOrDefault(x => x.Name == name);
                if (a is null) { a = new AttributeProto { Name = name }; n.Attribute.Add(a); }
                a.Type = (AttributeProto.Types.AttributeType)Pick(new[] { 1, 2, 3, 4, 6, 7, 8 });
                MutateAttribute(a);
                return $"add-{n.OpType}.{name}";
            }
            case 3:   // an initializer's dims
            {
                var t = Pick(g.Initializer);
                switch (_random.Next(3))
                {
                    case 0 when t.Dims.Count > 0: t.Dims[_random.Next(t.Dims.Count)] = Extreme(); break;
                    case 1 when t.Dims.Count > 0: t.Dims.RemoveAt(_random.Next(t.Dims.Count)); break;
                    default: t.Dims.Insert(_random.Next(t.Dims.Count + 1), Extreme()); break;
                }
                return "dims";
            }
            case 4:   // an initializer's data: cut short, retyped, or its values set to extremes
            {
                var t = Pick(g.Initializer);
                switch (_random.Next(3))
                {
                    case 0:
                        if (t.RawData.Length > 0) t.RawData = ByteString.CopyFrom(t.RawData.Span[.._random.Next(t.RawData.Length)]);
                        else if (t.FloatData.Count > 0) t.FloatData.RemoveAt(_random.Next(t.FloatData.Count));
                        else if (t.Int64Data.Count > 0) t.Int64Data.RemoveAt(_random.Next(t.Int64Data.Count));
                        return "cut";
                    case 1: t.DataType = _random.Next(25) - 2; return "dtype";
                    default:
                    {
                        var raw = t.RawData.ToByteArray();
                        if (t.DataType == (int)TensorProto.Types.DataType.Int64 && raw.Length >= 8)
                            BitConverter.TryWriteBytes(raw.AsSpan(8 * _random.Next(raw.Length / 8), 8), Extreme());
                        else if (raw.Length >= 4)
                            BitConverter.TryWriteBytes(raw.AsSpan(4 * _random.Next(raw.Length / 4), 4), Pick(Floats));
                        else if (t.FloatData.Count > 0) t.FloatData[_random.Next(t.FloatData.Count)] = Pick(Floats);
                        if (raw.Length > 0) t.RawData = ByteString.CopyFrom(raw);
                        return "values";
                    }
                }
            }
            case 5:   // a graph input's or output's dims
            {
                var v = _random.Next(4) == 0 ? Pick(g.Output) : g.Input[0];
                var dims = v.Type?.TensorType?.Shape?.Dim;
                if (dims is null || dims.Count == 0) return "none";
                switch (_random.Next(3))
                {
                    case 0: dims[_random.Next(dims.Count)] = new TensorShapeProto.Types.Dimension { DimValue = Extreme() }; break;
                    case 1: dims.RemoveAt(_random.Next(dims.Count)); break;
                    default: dims.Add(new TensorShapeProto.Types.Dimension { DimValue = Extreme() }); break;
                }
                return "input-dims";
            }
            case 6:   // the opset
                if (model.OpsetImport.Count > 0) model.OpsetImport[0].Version = Pick(new long[] { 0, 1, 5, 7, 10, 11, 12, 17, 18, -1, long.MaxValue });
                return "opset";
            case 7:   // a node's inputs or outputs
            {
                var n = Pick(g.Node);
                var list = _random.Next(2) == 0 ? n.Input : n.Output;
                switch (_random.Next(3))
                {
                    case 0 when list.Count > 0: list.RemoveAt(_random.Next(list.Count)); break;
                    case 1 when list.Count > 0: list[_random.Next(list.Count)] = ""; break;
                    default: list.Add(Pick(Pick(g.Node).Output.Concat(g.Initializer.Select(t => t.Name)).Append("nowhere").ToList())); break;
                }
                return $"io-{n.OpType}";
            }
            case 8:   // another supported op in a node's place
            {
                var n = Pick(g.Node);
                string was = n.OpType;
                n.OpType = Pick(OpTypes);
                return $"op-{was}-to-{n.OpType}";
            }
            default:  // nodes reordered or duplicated
            {
                int i = _random.Next(g.Node.Count), j = _random.Next(g.Node.Count);
                if (_random.Next(2) == 0) (g.Node[i], g.Node[j]) = (g.Node[j], g.Node[i]);
                else g.Node.Insert(j, g.Node[i].Clone());
                return "order";
            }
        }
    }

    private void MutateAttribute(AttributeProto a)
    {
        switch (_random.Next(5))
        {
            case 0:   // ints: one value extreme
                if (a.Ints.Count == 0) a.Ints.Add(Extreme());
                else a.Ints[_random.Next(a.Ints.Count)] = Extreme();
                break;
            case 1:   // ints: the wrong count
            {
                int count = _random.Next(6);
                a.Ints.Clear();
                for (int i = 0; i < count; i++) a.Ints.Add(_random.Next(2) == 0 ? Extreme() : 1 + _random.Next(4));
                break;
            }
            case 2: a.I = Extreme(); break;
            case 3: a.F = Pick(Floats); if (_random.Next(2) == 0) a.Floats.Add(Pick(Floats)); break;
            default: a.S = ByteString.CopyFromUtf8(Pick(new[] { "", "SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "reflect", "edge", "constant", "\u00ff" })); break;
        }
    }
}
