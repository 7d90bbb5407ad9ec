using DeepSharp.Layers;
using DeepSharp.Onnx.Proto;
using DeepSharp.Saving;
using static DeepSharp.Onnx.OnnxFile;

namespace DeepSharp.Onnx;

/// <summary>
/// Turns an ONNX graph into DeepSharp layers called on symbolic tensors. ONNX is NCHW, DeepSharp NHWC: every 4-D
/// value remembers whether it is held channels-last (the normal case: the input and everything after a Conv) or in
/// ONNX order (after a Reshape to 4-D), and a Permute layer converts only where an op needs the other order.
/// The batch axis is always free. Weights are converted to DeepSharp's layouts as the layers are built.
/// </summary>
internal sealed partial class OnnxImporter
{
    /// <summary>A non-constant ONNX value: its symbolic tensor and layout.</summary>
    /// <param name="ChannelsLast">True when a rank-4 ONNX value (N, C, H, W) is held as (N, H, W, C).</param>
    /// <param name="FlattenedFrom">Set when the value is an NHWC image flattened in (h, w, c) order rather than ONNX's
    /// (c, h, w): the ONNX (C, H, W) it came from. Only a following Gemm/MatMul reads it (by permuting its rows).</param>
    private sealed record Value(SymbolicTensor Sym, bool ChannelsLast, int[]? FlattenedFrom = null)
    {
        /// <summary>The per-sample shape in ONNX order.</summary>
        public int[] OnnxShape => ChannelsLast ? [Sym.Shape[2], Sym.Shape[0], Sym.Shape[1]] : Sym.Shape;

        /// <summary>The ONNX rank, batch axis included.</summary>
        public int Rank => Sym.Shape.Length + 1;
    }

    private readonly string _file;
    private readonly long _opset;
    private readonly GraphProto _graph;
    private readonly Dictionary<string, Value> _values = new();
    private readonly Dictionary<string, OnnxConstant> _constants = new();
    private readonly Dictionary<string, List<NodeProto>> _consumers = new();
    private readonly HashSet<string> _names;
    private readonly long _declaredBatch;

    /// <summary>True when the image input is declared (N, H, W, C) and only transposed to NCHW (a DeepSharp export): taken as is.</summary>
    private bool _nhwcInput;

    private OnnxImporter(ModelProto model, string file, HashSet<string> names, IReadOnlyDictionary<string, OnnxConstant>? extraConstants)
    {
        _file = file;
        _graph = model.Graph;
        _opset = OnnxFile.Opset(model);
        _names = names;
        foreach (var t in _graph.Initializer) _constants[t.Name] = OnnxFile.ToConstant(t, file);
        if (extraConstants is not null) foreach (var (k, v) in extraConstants) _constants[k] = v;
        foreach (var n in _graph.Node)
            foreach (var i in n.Input)
            {
                if (!_consumers.TryGetValue(i, out var list)) _consumers[i] = list = new();
                list.Add(n);
            }
        var input = RealInputs().FirstOrDefault();
        _declaredBatch = input?.Type?.TensorType?.Shape?.Dim.FirstOrDefault()?.DimValue ?? 0;
    }

    /// <summary>Imports a whole file as a functional model.</summary>
    public static Models.Model Load(ModelProto model, string file, int[]? inputShape = null) => LoadWithLayout(model, file, inputShape).Model;

    /// <summary>
    /// Imports a file as a model ending at <paramref name="outputName"/> (default: the graph's output), with graph inputs
    /// named in <paramref name="constants"/> folded as constants; says whether a rank-4 output comes out NHWC.
    /// </summary>
    public static (Models.Model Model, bool ChannelsLast) LoadWithLayout(ModelProto model, string file, int[]? inputShape = null,
        string? outputName = null, IReadOnlyDictionary<string, OnnxConstant>? constants = null)
    {
        var importer = new OnnxImporter(model, file, new HashSet<string>(), constants);
        var info = importer.SingleInput();
        if (info.Type?.TensorType is { } tt && tt.ElemType != (int)TensorProto.Types.DataType.Float)
            throw importer.Error($"input '{info.Name}' has element type {(TensorProto.Types.DataType)tt.ElemType}; DeepSharp models take float32 inputs.");
        var shape = inputShape ?? importer.DeclaredSampleShape(info);
        if (shape.Length == 0 || shape.Length > 3 || shape.Any(d => d <= 0))
            throw importer.Error($"input '{info.Name}' has shape (batch, {string.Join(", ", shape)}); DeepSharp imports vectors, sequences and images (rank 2 to 4, the first axis being the batch).");
        bool image = shape.Length == 3;
        importer._nhwcInput = image && importer._consumers.TryGetValue(info.Name, out var users)
            && users.All(u => u.OpType == "Transpose" && Ints(u, "perm") is [0, 3, 1, 2] && u.Input[0] == info.Name);
        var input = new Input(image && !importer._nhwcInput ? [shape[1], shape[2], shape[0]] : shape) { Name = importer.UniqueName(info.Name) };
        var output = importer.Import(input, outputName, out bool channelsLast);
        return (new Models.Model(input, output, name: Sanitize(model.Graph.Name is { Length: > 0 } g ? g : Path.GetFileNameWithoutExtension(file))), channelsLast);
    }

    /// <summary>
    /// Imports the graph of <paramref name="model"/> on an existing NHWC image tensor (to chain files, e.g. a
    /// preprocessing graph and a network); layer names stay unique across the files sharing <paramref name="names"/>.
    /// </summary>
    public static SymbolicTensor ImportOn(ModelProto model, string file, SymbolicTensor image, HashSet<string> names, string? outputName = null)
    {
        var importer = new OnnxImporter(model, file, names, null);
        importer.SingleInput();
        return importer.Import(image, outputName, out _);
    }

    private IEnumerable<ValueInfoProto> RealInputs() => _graph.Input.Where(i => !_constants.ContainsKey(i.Name));

    private ValueInfoProto SingleInput()
    {
        var inputs = RealInputs().ToList();
        if (inputs.Count != 1)
            throw Error($"the graph has {inputs.Count} inputs that are not initializers ({string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}); DeepSharp imports models with exactly one input.");
        var unsupported = _graph.Node.Where(n => !IsSupported(n)).Select(n => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}").Distinct().ToList();
        if (unsupported.Count > 0)
            throw Error($"the graph uses operators DeepSharp cannot import: {string.Join(", ", unsupported)}. Supported: {string.Join(", ", Handlers.Keys.Order())}.");
        if (_opset < 1)
            throw Error($"the model declares opset {_opset}; ONNX opsets start at 1. The file is damaged.");
        if (_opset > 17)
            throw Error($"the model uses opset {_opset}; DeepSharp imports opsets up to 17 (tested from 7). Convert it with onnx.version_converter.convert_version(model, 13).");
        return inputs[0];
    }

    private int[] DeclaredSampleShape(ValueInfoProto info)
    {
        var dims = info.Type?.TensorType?.Shape?.Dim;
        if (dims is null || dims.Count < 2)
            throw Error($"input '{info.Name}' has no shape of rank 2 or more (batch first); pass inputShape to OnnxModel.Load.");
        var shape = dims.Skip(1).Select(d => d.DimValue > 0 && d.DimValue <= int.MaxValue ? (int)d.DimValue : 0).ToArray();
        if (shape.Any(d => d <= 0))
            throw Error($"input '{info.Name}' has a free dimension other than the batch ({string.Join(", ", dims.Select(d => d.DimValue > 0 ? d.DimValue.ToString() : d.DimParam is { Length: > 0 } p ? p : "?"))}); pass inputShape (channels first, as in the file) to OnnxModel.Load.");
        if (shape.Length > 3)
            throw Error($"input '{info.Name}' has rank {shape.Length + 1}; DeepSharp imports vectors, sequences and images (rank 2 to 4).");
        return shape;
    }

    private SymbolicTensor Import(SymbolicTensor input, string? outputName, out bool channelsLast)
    {
        var info = RealInputs().First();
        _values[info.Name] = new Value(input, input.Shape.Length == 3 && !_nhwcInput);
        foreach (var node in _graph.Node)
        {
            if (node.Output.Count == 0) throw Error($"node '{NodeName(node)}' ({node.OpType}) has no outputs: the graph is damaged.");
            try { Handlers[node.OpType](this, node); }
            catch (ArgumentException e)
            {
                throw Error($"node '{NodeName(node)}' ({node.OpType}) could not be converted: {e.Message}", e);
            }
            catch (Exception e) when (e is IndexOutOfRangeException or NullReferenceException or InvalidOperationException
                or OverflowException or KeyNotFoundException or FormatException or DivideByZeroException or NotSupportedException)
            {
                // A node whose attributes or inputs contradict each other (a damaged or hand-made file).
                throw Error($"node '{NodeName(node)}' ({node.OpType}) is malformed: its inputs, weights or attributes do not fit together ({e.GetType().Name}: {e.Message}).", e);
            }
            if (outputName is not null && node.Output.Contains(outputName)) break;   // later nodes cannot feed it
        }
        string name = outputName ?? (_graph.Output.Count == 1 ? _graph.Output[0].Name
            : throw Error($"the graph has {_graph.Output.Count} outputs ({string.Join(", ", _graph.Output.Select(o => o.Name))}); DeepSharp models have one output."));
        if (!_values.TryGetValue(name, out var output))
            throw Error(_constants.ContainsKey(name) ? $"output '{name}' is a constant: it does not depend on the input." : $"the graph has no value named '{name}'.");
        var result = Materialize(output);
        channelsLast = result.ChannelsLast;
        return result.Sym;
    }

    // ---- values ----

    private Value Var(NodeProto node, int index)
    {
        string name = index < node.Input.Count ? node.Input[index] : "";
        if (_values.TryGetValue(name, out var v)) return v;
        if (_constants.ContainsKey(name))
            throw Unsupported(node, $"input {index} ('{name}') is a constant where DeepSharp expects the data flowing from the model's input");
        throw Error($"node '{NodeName(node)}' ({node.OpType}) reads '{name}', which no earlier node produces: the graph is not in topological order or is damaged.");
    }

    private OnnxConstant? Const(NodeProto node, int index) =>
        index < node.Input.Count && node.Input[index].Length > 0 && _constants.TryGetValue(node.Input[index], out var c) ? c : null;

    private OnnxConstant RequireConst(NodeProto node, int index, string what) =>
        Const(node, index) ?? throw Unsupported(node, $"its {what} (input {index}) must be a constant (an initializer or a Constant node)");

    private bool IsConst(NodeProto node, int index) => Const(node, index) is not null;

    private void Set(NodeProto node, Value v, int output = 0) => _values[node.Output[output]] = v;

    /// <summary>Calls a new layer on values and records the result as the node's output.</summary>
    private Value Apply(Layer layer, bool channelsLast, params Value[] inputs) =>
        new(layer.Call(inputs.Select(i => i.Sym).ToArray()), channelsLast);

    /// <summary>The value with a rank-4 ONNX tensor held channels-last (inserting a Permute when it is in ONNX order).</summary>
    private Value ChannelsLast(Value v, NodeProto node)
    {
        if (v.FlattenedFrom is not null) throw Unsupported(node, "it reads a flattened image that DeepSharp keeps in (h, w, c) order");
        if (v.Rank != 4 || v.ChannelsLast) return v;
        return Apply(new Permute([2, 3, 1], UniqueName(NodeName(node) + "_to_nhwc")), true, v);
    }

    /// <summary>The value in ONNX's element order (a Permute back to channels-first where needed).</summary>
    private Value OnnxOrder(Value v, NodeProto node)
    {
        if (v.FlattenedFrom is not null) throw Unsupported(node, "it reads a flattened image that DeepSharp keeps in (h, w, c) order");
        if (!v.ChannelsLast) return v;
        var s = v.Sym.Shape;
        if (s[0] * s[1] == 1 || s[2] == 1) return Reshaped(v, node);
        return Apply(new Permute([3, 1, 2], UniqueName(NodeName(node) + "_to_nchw")), false, v);
    }

    /// <summary>For an NHWC value whose element order equals ONNX's (H·W = 1 or C = 1): the same data viewed as (C, H, W).</summary>
    private Value Reshaped(Value v, NodeProto node) =>
        Apply(new Layers.Reshape(v.OnnxShape, UniqueName(NodeName(node) + "_to_nchw")), false, v);

    /// <summary>The graph output: rank-4 values come out NHWC; a flattened image is put back in ONNX's order.</summary>
    private Value Materialize(Value v)
    {
        if (v.FlattenedFrom is not { } chw) return v;
        var s = new Value(v.Sym, false);
        var img = Apply(new Layers.Reshape([chw[1], chw[2], chw[0]], UniqueName(v.Sym.Producer!.Name + "_hwc")), true, s);
        var first = Apply(new Permute([3, 1, 2], UniqueName(v.Sym.Producer!.Name + "_chw")), false, img);
        return Apply(new Flatten(UniqueName(v.Sym.Producer!.Name + "_flat")), false, first);
    }

    // ---- names and errors ----

    private static string NodeName(NodeProto node) =>
        Sanitize(node.Name is { Length: > 0 } n ? n : node.Output.Count > 0 && node.Output[0].Length > 0 ? node.Output[0] : node.OpType.ToLowerInvariant());

    private static string Sanitize(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_').ToArray();
        var s = new string(chars);
        return s.Length == 0 ? "onnx" : s;
    }

    private string UniqueName(string baseName)
    {
        baseName = Sanitize(baseName);
        string name = baseName;
        for (int i = 1; !_names.Add(name); i++) name = $"{baseName}_{i}";
        return name;
    }

    private string LayerName(NodeProto node) => UniqueName(NodeName(node));

    private ModelFileException Error(string message, Exception? inner = null) => new(_file, message, inner);

    private ModelFileException Unsupported(NodeProto node, string why) =>
        Error($"node '{NodeName(node)}' ({node.OpType}) cannot be imported: {why}.");

    private bool IsSupported(NodeProto n) => n.Domain is "" or "ai.onnx" && Handlers.ContainsKey(n.OpType);
}
