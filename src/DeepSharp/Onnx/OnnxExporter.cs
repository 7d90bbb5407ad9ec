using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Onnx.Proto;
using Google.Protobuf;

namespace DeepSharp.Onnx;

/// <summary>
/// Writes a model as an ONNX graph (opsets 13 to 17) for ONNX Runtime, ML.NET and other runtimes. Inside the graph every
/// image is held in ONNX's NCHW order: the input is transposed once from the NHWC the user feeds (unless the export is
/// channels-first), layers translate their axes (channels are axis 1), a Flatten first puts the image back in (h, w, c)
/// order so that a Dense after it reads its features as DeepSharp does, and a rank-4 output is transposed back to NHWC.
/// Each layer kind has one small export function, registered in <see cref="Exporters"/> (one line per layer, grouped by
/// kind in the partial files); nested models are exported inline. Node and value names are the Keras layer names.
/// </summary>
internal sealed partial class OnnxExporter
{
    /// <summary>A value of the graph: its ONNX name and DeepSharp's per-sample shape (a rank-3 image is held (C, H, W) in ONNX).</summary>
    internal readonly record struct Value(string Name, int[] Shape)
    {
        public bool IsImage => Shape.Length == 3;
    }

    /// <summary>Exports one layer applied to <paramref name="inputs"/>; returns the value holding its output.</summary>
    internal delegate Value LayerExport(OnnxExporter e, Layer layer, Value[] inputs, int[] outputShape);

    public const int MinOpset = 13, MaxOpset = 17;

    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _opset = MaxOpset;   // LayerNormalization needs 17
    // The operators used read the same in opsets 13 to 17 (Softmax's axis semantics from 13, Pad's pads as an input
    // from 11, Clip's bounds as inputs from 11), so the opset only changes the declared version and IR version.

    /// <summary>The ONNX model for <paramref name="model"/>; an input of (batch, h, w, c) unless <paramref name="channelsFirst"/>.</summary>
    public static ModelProto ToOnnx(Model model, int opset, bool channelsFirst)
    {
        if (opset is < MinOpset or > MaxOpset)
            throw new ArgumentOutOfRangeException(nameof(opset), $"SaveOnnx: opset {opset} is not supported; DeepSharp writes opsets {MinOpset} to {MaxOpset} (17 is the default; 13 for older runtimes).");
        if (model.InputShape is not { } inputShape)
            throw new InvalidOperationException($"Model '{model.Name}' is not built yet, so its input shape is unknown. Give its first layer an inputShape, or call Predict once, before SaveOnnx.");
        model.RequireSingleOutput("be exported to ONNX");
        var e = new OnnxExporter { _opset = opset };
        e._graph.Name = model.Name;
        string inputName = e.UniqueName(model.InputName);
        bool image = inputShape.Length == 3;
        int[] declared = image && channelsFirst ? [inputShape[2], inputShape[0], inputShape[1]] : inputShape;
        e._graph.Input.Add(ValueInfo(inputName, declared));
        var x = new Value(inputName, inputShape);
        if (image && !channelsFirst) x = e.Transpose(x.Name, [0, 3, 1, 2], inputName + "_nchw", inputShape);
        var y = e.ExportGraph(model, x);
        bool imageOut = y.IsImage;
        if (imageOut && !channelsFirst) y = e.Transpose(y.Name, [0, 2, 3, 1], y.Name + "_nhwc", y.Shape);
        else if (y.Name == inputName) y = new Value(e.Node("Identity", "output", [y.Name]), y.Shape);
        int[] outShape = imageOut && channelsFirst ? [y.Shape[2], y.Shape[0], y.Shape[1]] : y.Shape;
        e._graph.Output.Add(ValueInfo(y.Name, outShape));

        var proto = new ModelProto
        {
            IrVersion = opset <= 14 ? 7 : 8,
            ProducerName = "DeepSharp",
            ProducerVersion = typeof(Model).Assembly.GetName().Version?.ToString(3) ?? "",
            Graph = e._graph,
            DocString = $"Exported from DeepSharp model '{model.Name}'; input {(image ? channelsFirst ? "NCHW" : "NHWC" : "(batch, features)")}.",
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return proto;
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> through a temporary file renamed over it.</summary>
    public static void Save(Model model, string path, int opset, bool channelsFirst)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var proto = ToOnnx(model, opset, channelsFirst);
        string full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { } dir && !Directory.Exists(dir))
            throw new DirectoryNotFoundException($"SaveOnnx: the folder '{dir}' does not exist; create it first or choose another path for '{path}'.");
        if (proto.CalculateSize() is var size && size < 0)
            throw new InvalidOperationException($"Model '{model.Name}' is larger than 2 GiB, the most a single ONNX (protobuf) file can hold.");
        string tmp = $"{full}.tmp-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            using (var stream = File.Create(tmp)) proto.WriteTo(stream);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Exports the layers of <paramref name="model"/> applied to <paramref name="input"/> (a nested model is inlined).</summary>
    private Value ExportGraph(Model model, Value input)
    {
        model.RequireSingleOutput("be exported to ONNX");
        var nodes = model.Nodes;
        var values = new Value[nodes.Count];
        values[0] = input;
        for (int i = 1; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var inputs = node.Inputs.Select(j => values[j]).ToArray();
            values[i] = ExportLayer(node.Layer!, inputs, node.Shape);
        }
        return model.Output.Producer is { } last ? values[model.NodeOf(last)] : input;
    }

    private Value ExportLayer(Layer layer, Value[] inputs, int[] outputShape)
    {
        if (layer is Model nested) return ExportGraph(nested, inputs[0]);
        if (!Exporters.TryGetValue(layer.GetType(), out var export))
            throw new NotSupportedException($"Layer '{layer.Name}' ({layer.ClassName}) cannot be exported to ONNX: DeepSharp has no ONNX form for {layer.ClassName}. " +
                $"Exportable layers: {string.Join(", ", Exporters.Keys.Select(t => t.Name).Order(StringComparer.Ordinal))} and nested models. " +
                "Remove the layer from the model to export (e.g. do that step before calling the ONNX model).");
        try { return export(this, layer, inputs, outputShape); }
        catch (ArgumentException ex)
        {
            throw new NotSupportedException($"Layer '{layer.Name}' ({layer.ClassName}) cannot be exported to ONNX: {ex.Message}", ex);
        }
    }

    // ---- building the graph ----

    /// <summary>Adds a node named after <paramref name="name"/> (made unique) with one output of the same name.</summary>
    internal string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string unique = UniqueName(name);
        var node = new NodeProto { OpType = opType, Name = unique };
        node.Input.AddRange(inputs);
        node.Output.Add(unique);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return unique;
    }

    /// <summary>A float32 initializer; returns its (unique) name.</summary>
    internal string Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var t = new TensorProto { Name = UniqueName(name), DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        var bytes = new byte[values.Length * 4];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(bytes);
        t.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>An int64 initializer (shapes, pads, slice bounds).</summary>
    internal string Int64Initializer(string name, params long[] values)
    {
        var t = new TensorProto { Name = UniqueName(name), DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        return t.Name;
    }

    /// <summary>A Transpose node; <paramref name="shape"/> is the DeepSharp shape of the result.</summary>
    internal Value Transpose(string input, long[] perm, string name, int[] shape) =>
        new(Node("Transpose", name, [input], Ints("perm", perm)), shape);

    /// <summary>An image value in (h, w, c) element order (an NHWC tensor) for ops that read DeepSharp's order.</summary>
    internal string ToNhwc(Value v, string name) => v.IsImage ? Transpose(v.Name, [0, 2, 3, 1], name, v.Shape).Name : v.Name;

    /// <summary>An NHWC tensor back to the graph's NCHW for an image result.</summary>
    internal Value FromNhwc(string nhwc, int[] shape, string name) =>
        shape.Length == 3 ? Transpose(nhwc, [0, 3, 1, 2], name, shape) : new Value(nhwc, shape);

    /// <summary>The ONNX axis for Keras' <paramref name="axis"/> (batch counted, negative from the end) of a value of <paramref name="sampleRank"/>.</summary>
    internal static long OnnxAxis(Layer layer, int axis, int sampleRank)
    {
        int a = LayerAxes.Resolve(axis, sampleRank, layer.Name, layer.ClassName);
        return sampleRank == 3 ? a == 3 ? 1 : a + 1 : a;
    }

    internal string UniqueName(string baseName)
    {
        string name = baseName.Length == 0 ? "value" : baseName;
        for (int i = 1; !_names.Add(name); i++) name = $"{baseName}_{i}";
        return name;
    }

    internal static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    internal static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    internal static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static ValueInfoProto ValueInfo(string name, int[] sampleShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (int d in sampleShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
