using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Tests.Data;
using DeepSharp.Tests.Layers;
using Xunit.Abstractions;

namespace DeepSharp.Tests.Onnx;

/// <summary>
/// Model.SaveOnnx on Keras 3's next layers (DepthwiseConv2D and SeparableConv2D as grouped Conv, Conv2DTranspose as
/// ConvTranspose, UpSampling2D as Resize, LayerNormalization as opset 17's LayerNormalization, SpatialDropout2D gone,
/// GlobalMaxPooling2D with keepdims): ONNX Runtime against Predict at batch 1 and 7, and onnx.checker.
/// </summary>
[Collection(HeavyOnnxTests.Name)]
public class OnnxExportKeras3Tests(ITestOutputHelper output)
{
    // A softmax head would saturate: the model ends on the last image, whose values the normalization keeps near ±1.
    private static Model Decoder()
    {
        var inputs = new Input(9, 7, 3);
        var x = new SeparableConv2D(6, 3, padding: "same", activation: "relu").Call(inputs);
        x = new DepthwiseConv2D((3, 2), strides: 2, padding: "same", depthMultiplier: 2, activation: "tanh").Call(x);
        x = new LayerNormalization().Call(x);
        x = new SpatialDropout2D(0.5).Call(x);
        x = new Conv2DTranspose(5, 3, strides: 2, padding: "same").Call(x);
        x = new UpSampling2D(2, interpolation: "bilinear").Call(x);
        x = new Conv2DTranspose(4, (3, 2), strides: 2, outputPadding: 1, activation: "sigmoid").Call(x);
        x = new Conv2DTranspose(3, (4, 4), strides: 2, padding: "same", outputPadding: 0).Call(x);
        x = new UpSampling2D((2, 3)).Call(x);
        x = new SeparableConv2D(4, 5, strides: 3, depthMultiplier: 2).Call(x);
        x = new LayerNormalization(axis: [1, 2, 3], center: false).Call(x);
        var gate = new GlobalMaxPooling2D(keepdims: true).Call(x);
        x = new Concatenate().Call(x, new Multiply().Call(x, new UpSampling2D((x.Shape[0], x.Shape[1])).Call(gate)));
        var model = new Model(inputs, x);   // the image itself: every pixel compared
        LayerGradientCheck.Reinitialize(model.Parameters, 3);
        return model;
    }

    [Fact]
    public void DecoderLayersMatchOnnxRuntime()
    {
        var model = Decoder();
        using var dir = new TempFolder();
        string path = dir.File("decoder.onnx");
        model.SaveOnnx(path);
        OnnxExportCheck.Checker(path);
        foreach (int batch in new[] { 1, 7 })
        {
            var x = OnnxExportCheck.Random(batch, 0f, 1f, [batch, .. model.InputShape!]);
            var expected = model.Predict(x);
            var (ort, shape) = OnnxExportCheck.Run(path, x);
            Assert.Equal(expected.Shape.ToArray(), shape);
            double worst = OnnxExportCheck.AssertClose(expected.Span, ort, 1e-5, $"decoder batch {batch}");
            output.WriteLine($"decoder batch {batch}: worst relative difference {worst:g3}; outputs {string.Join(", ", ort.Take(3).Select(v => v.ToString("g4")))}");
            Assert.True(ort.Count(v => Math.Abs(v) > 0.1f) > ort.Length / 2, "most outputs should be away from 0 (normalized)");
        }
    }

    [Fact]
    public void LayerNormalizationBeforeOpset17IsRefusedByName()
    {
        var inputs = new Input(4, 4, 2);
        var model = new Model(inputs, new LayerNormalization(name: "norm").Call(inputs));
        using var dir = new TempFolder();
        var e = Assert.Throws<NotSupportedException>(() => model.SaveOnnx(dir.File("m.onnx"), opset: 13));
        Assert.Contains("'norm'", e.Message);
        Assert.Contains("opset 17", e.Message);
        Assert.False(File.Exists(dir.File("m.onnx")));
    }
}
