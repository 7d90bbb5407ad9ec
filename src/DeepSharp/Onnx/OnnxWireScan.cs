using DeepSharp.Saving;

namespace DeepSharp.Onnx;

/// <summary>
/// A look at an ONNX file's protobuf wire format before it is parsed (issue 25): protobuf builds an object for every
/// message, so a small file can become gigabytes of objects when it holds millions of tiny nodes, or graphs nested in
/// node attributes (an <c>If</c>'s branches, each holding both branches of the next, doubles per level: 20 levels
/// took 3.4 GB from a 108 MB file). DeepSharp imports no control flow, so a node attribute holding a graph is refused,
/// and the nodes are counted against <see cref="MaxNodes"/>, all before anything is parsed. The walk is iterative and
/// reads only the model → graph → node → attribute path; everything else is skipped by its length.
/// </summary>
internal static class OnnxWireScan
{
    /// <summary>The most nodes a graph may have (ResNet-152 has about 500; the largest exported vision models a few thousand).</summary>
    public const int MaxNodes = 1_000_000;

    private const int ModelGraph = 7, ModelTrainingInfo = 20, TrainingInitialization = 1, TrainingAlgorithm = 2;
    private const int GraphNode = 1, NodeName = 3, NodeOpType = 4, NodeAttribute = 5, AttributeName = 1, AttributeGraph = 6, AttributeGraphs = 11;

    /// <summary>Throws a <see cref="ModelFileException"/> naming the node when the file holds what DeepSharp will not parse.</summary>
    public static void Check(ReadOnlySpan<byte> model, string fileName)
    {
        int nodes = 0;
        var fields = new FieldReader(model);
        while (fields.Next(out int field, out var graph))
        {
            if (field == ModelGraph) CheckGraph(graph, fileName, ref nodes);
            else if (field == ModelTrainingInfo)
            {
                var inner = new FieldReader(graph);
                while (inner.Next(out int f, out var g))
                    if (f is TrainingInitialization or TrainingAlgorithm) CheckGraph(g, fileName, ref nodes);
            }
        }
    }

    private static void CheckGraph(ReadOnlySpan<byte> graph, string fileName, ref int nodes)
    {
        var fields = new FieldReader(graph);
        while (fields.Next(out int field, out var node))
        {
            if (field != GraphNode) continue;
            if (++nodes > MaxNodes)
                throw new ModelFileException(fileName, $"the graph has more than {MaxNodes:N0} nodes; DeepSharp imports graphs up to that size (real vision networks have a few thousand at most).");
            string name = "", op = "";
            var nodeFields = new FieldReader(node);
            while (nodeFields.Next(out int f, out var value))
            {
                if (f == NodeName) name = Text(value);
                else if (f == NodeOpType) op = Text(value);
                else if (f == NodeAttribute)
                {
                    var attribute = new FieldReader(value);
                    string attributeName = "";
                    while (attribute.Next(out int af, out var av))
                    {
                        if (af == AttributeName) attributeName = Text(av);
                        else if (af is AttributeGraph or AttributeGraphs)
                            throw new ModelFileException(fileName, $"node '{(name.Length > 0 ? name : "(unnamed)")}'{(op.Length > 0 ? $" ({op})" : "")} has an attribute " +
                                $"'{attributeName}' holding a graph (control flow such as If, Loop or Scan); DeepSharp imports graphs without subgraphs. " +
                                "Export the model without control flow (e.g. torch.onnx.export of the model in eval mode with fixed shapes).");
                    }
                }
            }
        }
    }

    private static string Text(ReadOnlySpan<byte> value) =>
        System.Text.Encoding.UTF8.GetString(value[..Math.Min(value.Length, 200)]);

    /// <summary>Reads the length-delimited fields of one message (others are skipped); a malformed one ends the walk and is left to the parser.</summary>
    private ref struct FieldReader(ReadOnlySpan<byte> message)
    {
        private readonly ReadOnlySpan<byte> _message = message;
        private int _pos;

        public bool Next(out int field, out ReadOnlySpan<byte> value)
        {
            value = default;
            field = 0;
            while (_pos < _message.Length)
            {
                if (!Varint(out ulong tag)) return false;
                field = (int)Math.Min(tag >> 3, int.MaxValue);
                switch ((int)(tag & 7))
                {
                    case 0: if (!Varint(out _)) return false; break;
                    case 1: _pos += 8; break;
                    case 5: _pos += 4; break;
                    case 2:
                        if (!Varint(out ulong length) || length > (ulong)(_message.Length - _pos)) return false;   // the parser reports it
                        value = _message.Slice(_pos, (int)length);
                        _pos += (int)length;
                        return true;
                    default: return false;   // groups (3, 4) and invalid wire types: the parser reports them
                }
            }
            return false;
        }

        private bool Varint(out ulong value)
        {
            value = 0;
            for (int shift = 0; shift < 64 && _pos < _message.Length; shift += 7)
            {
                byte b = _message[_pos++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return true;
            }
            return false;
        }
    }
}
