using DeepSharp.Layers;

namespace DeepSharp.Tests.Backends.Cpu;

/// <summary>
/// DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, UpSampling2D and LayerNormalization, through the layer API
/// (Forward, Backward, InputGradient, each weight's Grad), against PyTorch float64 on the fixtures of
/// tests/fixtures/torch/make_layer_fixtures.py (which states the layout permutations and the Keras conventions it
/// reproduces). Weights are loaded in Keras' layouts, so these tests also pin the weight layouts Keras files use.
/// Tolerance: 1e-4 relative + 1e-5 of the tensor's largest value. In this namespace so tools/test-knobs.sh runs them
/// at every vector width.
/// </summary>
public class TorchGoldenKeras3LayerTests
{
    private static TorchCase Case(string name) => TorchFixtures.Case(name, "layers");

    /// <summary>Builds the layer for x, loads the fixture's weights by name, and checks y, dx and every weight gradient.</summary>
    private static void Check(TorchCase c, Layer layer, params string[] weights)
    {
        var (x, dy) = (c.Tensor("x"), c.Tensor("dy"));
        layer.Call(new Input(x.ShapeArray[1..]));
        Assert.Equal(weights, layer.Parameters.Select(p => p.Name).ToArray());   // Keras' names and order
        foreach (var p in layer.Parameters)
        {
            var w = c.Tensor(p.Name);
            Assert.True(w.Shape.SequenceEqual(p.Value.Shape), $"{c.Name}: weight {p.Name} is {Tensor.FormatShape(p.Value.Shape)}, Keras' layout {Tensor.FormatShape(w.Shape)}");
            w.Span.CopyTo(p.Value.Span);
        }
        c.AssertMatches("y", layer.Forward([x], training: true));
        layer.Backward(dy, needInputGradients: true);
        c.AssertMatches("dx", layer.InputGradients[0]!);
        foreach (var p in layer.Parameters) c.AssertMatches("d" + p.Name, p.Grad);
    }

    private static PaddingOption PaddingOf(TorchCase c) => c.Text("padding");

    [Theory]
    [InlineData("depthwise_3x3_s1_valid_m1_n1")]
    [InlineData("depthwise_3x3_s2_same_m2_n3")]
    [InlineData("depthwise_2x3_s2_same_m1_n3")]
    public void DepthwiseConv2D(string name)
    {
        var c = Case(name);
        var k = c.Tensor("kernel");
        int s = (int)c.Scalar("stride");
        Check(c, new DepthwiseConv2D((k.Dim(0), k.Dim(1)), (s, s), PaddingOf(c), depthMultiplier: (int)c.Scalar("depth_multiplier")), "kernel", "bias");
    }

    [Theory]
    [InlineData("separable_3x3_s1_same_m1_n1")]
    [InlineData("separable_3x3_s2_valid_m2_n3")]
    public void SeparableConv2D(string name)
    {
        var c = Case(name);
        var k = c.Tensor("depthwise_kernel");
        int s = (int)c.Scalar("stride");
        Check(c, new SeparableConv2D((int)c.Scalar("filters"), (k.Dim(0), k.Dim(1)), (s, s), PaddingOf(c), depthMultiplier: (int)c.Scalar("depth_multiplier")),
            "depthwise_kernel", "pointwise_kernel", "bias");
    }

    [Theory]
    [InlineData("conv_transpose_3x3_s1_valid_opNone_n1")]
    [InlineData("conv_transpose_3x3_s2_same_opNone_n3")]
    [InlineData("conv_transpose_3x3_s2_valid_op1_n3")]
    [InlineData("conv_transpose_4x4_s2_same_opNone_n1")]
    [InlineData("conv_transpose_2x3_s2_same_op0_n3")]
    public void Conv2DTranspose(string name)
    {
        var c = Case(name);
        int s = (int)c.Scalar("stride"), op = (int)c.Scalar("output_padding");
        Check(c, new Conv2DTranspose((int)c.Scalar("filters"), ((int)c.Scalar("kh"), (int)c.Scalar("kw")), (s, s), PaddingOf(c),
            op < 0 ? null : (op, op)), "kernel", "bias");
    }

    [Theory]
    [InlineData("upsampling_2x2_nearest_n1")]
    [InlineData("upsampling_2x3_nearest_n3")]
    [InlineData("upsampling_2x3_bilinear_n3")]
    [InlineData("upsampling_3x2_bilinear_n1")]
    public void UpSampling2D(string name)
    {
        var c = Case(name);
        Check(c, new UpSampling2D(((int)c.Scalar("sh"), (int)c.Scalar("sw")), c.Text("interpolation")));
    }

    [Theory]
    [InlineData("layernorm_last_axis")]
    [InlineData("layernorm_whole_image")]
    [InlineData("layernorm_vectors")]
    public void LayerNormalization(string name)
    {
        var c = Case(name);
        int axes = (int)c.Scalar("axes");
        var layer = axes == 1 ? new LayerNormalization() : new LayerNormalization(axis: Enumerable.Range(1, axes).ToArray());
        Check(c, layer, "gamma", "beta");
    }
}
