using DeepSharp.Onnx.Proto;
using Google.Protobuf;
using SkiaSharp;

namespace DeepSharp.Cli.Tests;

/// <summary>
/// Real files for issue 25's cases: PNG images written with SkiaSharp, and ONNX graphs built with the project's own
/// protobuf classes (the same messages `OnnxModel.Load` reads).
/// </summary>
internal static class HostileFiles
{
    /// <summary>A w×h PNG of one colour plus a little noise.</summary>
    public static void Png(string path, int w = 12, int h = 10, byte red = 200, int seed = 0)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var random = new Random(seed);
        using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                bitmap.SetPixel(x, y, new SKColor(red, (byte)random.Next(256), (byte)random.Next(256)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>A data folder with class folders <paramref name="classes"/>, <paramref name="perClass"/> PNGs each.</summary>
    public static string Classes(string root, int perClass, params string[] classes)
    {
        for (int c = 0; c < classes.Length; c++)
            for (int i = 0; i < perClass; i++)
                Png(Path.Combine(root, classes[c], $"{i}.png"), red: (byte)(40 + 150 * c), seed: c * 100 + i);
        return root;
    }

    /// <summary>An ONNX model (opset 13) of <paramref name="nodes"/> from input "x" of shape (1, 3, h, w) to <paramref name="output"/>.</summary>
    public static void OnnxFile(string path, IEnumerable<NodeProto> nodes, string output, int h, int w, IEnumerable<TensorProto>? initializers = null)
    {
        var graph = new GraphProto { Name = Path.GetFileNameWithoutExtension(path) };
        graph.Input.Add(Value("x", 1, 3, h, w));
        graph.Node.AddRange(nodes);
        graph.Output.Add(Value(output, 1, 3, h, w));
        if (initializers is not null) graph.Initializer.AddRange(initializers);
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
        File.WriteAllBytes(path, model.ToByteArray());
    }

    public static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var n = new NodeProto { OpType = op, Name = name, Output = { output } };
        n.Input.AddRange(inputs);
        return n;
    }

    public static TensorProto Floats(string name, params float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, Dims = { values.Length } };
        t.FloatData.AddRange(values);
        return t;
    }

    /// <summary>
    /// A graph nested <paramref name="depth"/> levels deep in If branches (then: the next level, else: a leaf), as an
    /// attribute of a Relu that the importer supports.
    /// </summary>
    public static NodeProto ReluWithNestedIfs(int depth)
    {
        GraphProto Leaf() => new() { Name = "leaf", Node = { Node("Identity", "id", ["c"], "o") }, Output = { Value("o", 1) }, Initializer = { Floats("c", 1f) } };
        var g = Leaf();
        for (int d = 0; d < depth; d++)
        {
            var node = Node("If", $"if{d}", ["cond"], "o");
            node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = g });
            node.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = Leaf() });
            g = new GraphProto { Name = $"g{d}", Node = { node }, Output = { Value("o", 1) } };
        }
        var relu = Node("Relu", "relu", ["x"], "y");
        relu.Attribute.Add(new AttributeProto { Name = "junk", Type = AttributeProto.Types.AttributeType.Graph, G = g });
        return relu;
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }
}
