using DeepSharp.Layers;
using DeepSharp.Onnx;
using DeepSharp.Onnx.Proto;
using DeepSharp.Saving;
using Google.Protobuf;

namespace DeepSharp.Tests.Onnx;

/// <summary>
/// Well-formed ONNX files with hostile contents (found by the fuzzer in Fuzz/OnnxFuzzTests): each is one
/// <see cref="ModelFileException"/> naming the file and the node, never a silently different model.
/// </summary>
public class OnnxHostileTests
{
    private static ModelProto Cnn() => ModelProto.Parser.ParseFrom(File.ReadAllBytes(OnnxModelTests.Fixture("cnn.onnx")));

    private static NodeProto Node(ModelProto m, string name) => m.Graph.Node.Single(n => n.Name == name);

    private static ModelFileException Refused(ModelProto m) =>
        Assert.Throws<ModelFileException>(() => OnnxModel.Load(new MemoryStream(m.ToByteArray()), "hostile.onnx"));

    [Theory]
    [InlineData(4294967298L)]   // 2^32 + 2: was read as (int) 2, a silently different pool
    [InlineData(0L)]
    [InlineData(-2L)]
    public void PoolKernelShapeOutsideIntIsRefused(long size)
    {
        var m = Cnn();
        var ks = Node(m, "pool1").Attribute.Single(a => a.Name == "kernel_shape");
        ks.Ints[0] = size;
        var e = Refused(m);
        Assert.Contains("hostile.onnx", e.Message);
        Assert.Contains("'pool1' (MaxPool)", e.Message);
        Assert.Contains("kernel_shape", e.Message);
    }

    [Fact]
    public void StridesThatWrapAroundIntAreRefused()
    {
        var m = Cnn();
        Node(m, "conv1").Attribute.Single(a => a.Name == "strides").Ints[1] = (1L << 32) + 1;
        Assert.Contains("strides", Refused(m).Message);
    }

    [Fact]
    public void ConvKernelShapeMustMatchTheWeight()
    {
        var m = Cnn();
        Node(m, "conv1").Attribute.Single(a => a.Name == "kernel_shape").Ints[0] = 5;
        var e = Refused(m);
        Assert.Contains("'conv1' (Conv)", e.Message);
        Assert.Contains("kernel_shape (5, 3) does not match the weight's (3, 3)", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteWeightsAreRefused(float value)
    {
        var m = Cnn();
        var bias = m.Graph.Initializer.Single(t => t.Name == "b1");
        var raw = bias.RawData.ToByteArray();
        BitConverter.TryWriteBytes(raw.AsSpan(8, 4), value);   // b1[2]
        bias.RawData = ByteString.CopyFrom(raw);
        var e = Refused(m);
        Assert.Contains("'conv1' (Conv): its bias holds", e.Message);
        Assert.Contains("at index 2", e.Message);
    }

    [Fact]
    public void NonFiniteAlphaThatWouldPoisonTheKernelIsRefused()
    {
        var m = Cnn();
        Node(m, "dense").Attribute.Single(a => a.Name == "alpha").F = float.NaN;
        Assert.Contains("'dense' (Gemm): its kernel holds NaN", Refused(m).Message);
    }

    [Fact]
    public void SoftmaxAlongTheBatchAxisBeforeOpset13IsAClearError()
    {
        var m = Cnn();
        m.OpsetImport[0].Version = 11;
        Node(m, "softmax").Attribute.Single(a => a.Name == "axis").I = 0;
        var e = Refused(m);
        Assert.Contains("'softmax' (Softmax) cannot be imported: it works along the batch axis", e.Message);
        Assert.Null(e.InnerException);   // a check, not the safety net around an IndexOutOfRangeException
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void OpsetBelowOneIsRefused(long opset)
    {
        var m = Cnn();
        m.OpsetImport[0].Version = opset;
        Assert.Contains($"declares opset {opset}", Refused(m).Message);
    }

    [Fact]
    public void NaNBatchNormEpsilonIsRefused()
    {
        var m = Cnn();
        Node(m, "bn1").Attribute.Single(a => a.Name == "epsilon").F = float.NaN;
        var e = Refused(m);
        Assert.Contains("'bn1' (BatchNormalization)", e.Message);
        Assert.Contains("epsilon must be a finite number", e.Message);
    }

    [Fact]
    public void AFileOver2GiBIsRefusedBeforeParsing()
    {
        using var dir = new Data.TempFolder();
        string path = dir.File("huge.onnx");
        using (var f = File.Create(path)) f.SetLength(3L << 30);   // sparse: no disk used, nothing read
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ModelFileException>(() => OnnxModel.Load(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("huge.onnx", e.Message);
        Assert.Contains("at most 2 GiB", e.Message);
    }

    [Fact]
    public void LayersRefuseNaNHyperparameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeakyReLU(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReLU(maxValue: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReLU(threshold: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(momentum: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(epsilon: -1e-3f));
    }

    [Fact]
    public void AGraphInANodeAttributeIsRefusedBeforeParsing()
    {
        var m = Cnn();
        GraphProto g = new() { Name = "leaf" };
        for (int d = 0; d < 20; d++)   // nested 20 deep, the probe's file (each level held both branches: 108 MB, 3.4 GB parsed)
        {
            var node = new NodeProto { OpType = "If", Name = $"if{d}", Input = { "cond" }, Output = { "o" } };
            node.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = g });
            g = new GraphProto { Name = $"g{d}", Node = { node } };
        }
        Node(m, "conv1").Attribute.Add(new AttributeProto { Name = "extra", Type = AttributeProto.Types.AttributeType.Graphs, Graphs = { g } });
        var e = Refused(m);
        Assert.Contains("'conv1' (Conv) has an attribute 'extra' holding a graph", e.Message);
    }

    [Fact]
    public void ANegativeBatchNormVarianceIsRefused()
    {
        var m = Cnn();
        var bn = Node(m, "bn1");
        var variance = m.Graph.Initializer.Single(t => t.Name == bn.Input[4]);
        var raw = variance.RawData.ToByteArray();
        BitConverter.TryWriteBytes(raw.AsSpan(0, 4), -1f);
        variance.RawData = ByteString.CopyFrom(raw);
        Assert.Contains("variance holds -1 at index 0", Refused(m).Message);
    }
}
