using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Onnx;
using DeepSharp.Onnx.Proto;
using Google.Protobuf;

namespace DeepSharp.Tests.Models;

/// <summary>
/// Graphs far deeper than any real network (issue 25: a recursive walk overflowed the stack from about 30,000 nodes
/// and killed the process). Every graph walk is iterative, so 100,000 chained layers build, run and import.
/// </summary>
public class DeepGraphTests
{
    private const int Depth = 100_000;

    [Fact]
    public void AFunctionalChainOf100000LayersBuildsAndRuns()
    {
        var input = new Input([3]);
        SymbolicTensor x = input;
        for (int i = 0; i < Depth; i++) x = new Activation(i % 2 == 0 ? "relu" : "linear", name: $"a{i}").Call(x);
        var model = new Model(input, x);
        Assert.Equal(Depth, model.Layers.Count);
        Assert.Equal("a0", model.Layers[0].Name);
        Assert.Equal($"a{Depth - 1}", model.Layers[^1].Name);
        var y = model.Predict(Tensor.FromArray([-1f, 0.5f, 2f], 1, 3), batchSize: 1);
        Assert.Equal([0f, 0.5f, 2f], y.Data);
    }

    [Fact]
    public void AnOnnxChainOf100000ReluNodesImports()
    {
        var graph = new GraphProto { Name = "deep" };
        graph.Input.Add(Value("x"));
        for (int i = 0; i < Depth; i++)
            graph.Node.Add(new NodeProto { OpType = "Relu", Name = $"r{i}", Input = { i == 0 ? "x" : $"t{i - 1}" }, Output = { $"t{i}" } });
        graph.Output.Add(Value($"t{Depth - 1}"));
        var proto = new ModelProto { IrVersion = 8, Graph = graph };
        proto.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });

        var model = OnnxModel.Load(new MemoryStream(proto.ToByteArray()), "deep.onnx");
        Assert.Equal(Depth, model.Layers.Count);
        var y = model.Predict(Tensor.FromArray([-3f, 4f], 1, 2), batchSize: 1);
        Assert.Equal([0f, 4f], y.Data);
    }

    private static ValueInfoProto Value(string name)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 1 });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 2 });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }
}
