using DeepSharp.Applications;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Onnx;
using DeepSharp.Tests.Data;
using Xunit.Abstractions;
using Apps = DeepSharp.Applications.Applications;

namespace DeepSharp.Tests.Onnx;

/// <summary>
/// Model.SaveOnnx on every chapter model: ONNX Runtime runs the exported file on the arrays Predict takes (NHWC, batch 1
/// and 7) and gives Predict's output within 1e-5 of its largest value; onnx.checker (Debian python3-onnx) accepts the file.
/// </summary>
[Collection(HeavyOnnxTests.Name)]
public class OnnxExportTests(ITestOutputHelper output)
{
    /// <summary>Exports, runs the checker, and compares ONNX Runtime with Predict at batch 1 and 7.</summary>
    private void ExportAndCompare(Model model, string name, float lo, float hi, int opset = 17)
    {
        using var dir = new TempFolder();
        string path = dir.File(name + ".onnx");
        model.SaveOnnx(path, opset);
        OnnxExportCheck.Checker(path);
        foreach (int batch in new[] { 1, 7 })
        {
            var x = OnnxExportCheck.Random(batch, lo, hi, [batch, .. model.InputShape!]);
            var expected = model.Predict(x);
            var (ort, shape) = OnnxExportCheck.Run(path, x);
            Assert.Equal(expected.Shape.ToArray(), shape);
            double worst = OnnxExportCheck.AssertClose(expected.Span, ort, 1e-5, $"{name} batch {batch}");
            output.WriteLine($"{name} (opset {opset}) batch {batch}: worst relative difference ONNX Runtime vs Predict {worst:g3}; " +
                $"outputs {string.Join(", ", ort.Take(4).Select(v => v.ToString("g4")))}");
            // A saturated output (all 0 or 1) would compare nothing: the models are built to stay in range.
            Assert.Contains(ort, v => v is > 1e-4f and < 0.9999f || v < 0f || v > 1f);
        }
    }

    [Fact]
    public void MnistConvnetMatchesOnnxRuntime() => ExportAndCompare(ChapterModels.MnistConvnet(), "mnist", 0f, 1f);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CatsAndDogsConvnetMatchesOnnxRuntime(bool dropout) =>
        ExportAndCompare(ChapterModels.SmallConvnet(dropout: dropout), dropout ? "catsdogs_dropout" : "catsdogs", 0f, 1f);

    [Fact]
    public void Vgg16NotopWithAHeadMatchesOnnxRuntime()
    {
        var convBase = Apps.VGG16(weights: null, includeTop: false, inputShape: (32, 32, 3));
        // A linear head: logits compare more than a sigmoid of random weights, which sits at 0.5.
        var model = new Sequential(convBase, new Flatten(), new Dense(256, activation: "relu"), new Dense(2));
        ExportAndCompare(model, "vgg16_head", -1f, 1f);
    }

    [Fact]
    public void ResNet18WithAHeadMatchesOnnxRuntime()
    {
        var convBase = Apps.ResNet18(inputShape: (64, 64, 3));   // ImageNet weights from the NuGet package, its preprocessing first
        var model = new Sequential(convBase, new Dense(10, activation: "softmax"));
        ExportAndCompare(model, "resnet18_head", 0f, 255f);
    }

    [Fact]
    public void AConvnetWrittenByKerasExportsToo()
    {
        // Keras 2.1.3's WGAN critic (tests/fixtures/keras_real): stride-2 "same" convolutions, ZeroPadding2D, LeakyReLU, BatchNormalization.
        var model = Model.Load(Path.Combine(AppContext.BaseDirectory, "fixtures", "keras_real", "wgan_discriminator.h5"));
        ExportAndCompare(model, "wgan_discriminator", -1f, 1f);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(15)]
    [InlineData(17)]
    public void FunctionalResidualModelWithBatchNormMatchesOnnxRuntime(int opset) =>
        ExportAndCompare(Residual(), "residual", 0f, 255f, opset);

    /// <summary>
    /// A functional model with a residual connection, batch normalization (non-trivial statistics), "same" convolutions
    /// with asymmetric padding (even kernel, stride 2), explicit zero padding, "same" pooling, a capped ReLU, a Concatenate
    /// and a Rescaling of 0–255 pixels.
    /// </summary>
    internal static Model Residual()
    {
        var input = new Input(17, 15, 3);
        var x = new Rescaling(1f / 255, name: "rescale").Call(input);
        x = new Conv2D(8, (3, 3), padding: "same", name: "stem").Call(x);
        x = new BatchNormalization(name: "stem_bn").Call(x);
        x = new DeepSharp.Layers.Activation("relu", name: "stem_relu").Call(x);
        var shortcut = new Conv2D(12, (1, 1), strides: (2, 2), name: "shortcut").Call(x);
        var main = new Conv2D(12, (4, 4), strides: (2, 2), padding: "same", useBias: false, name: "main").Call(x);
        main = new BatchNormalization(epsilon: 1e-5f, name: "main_bn").Call(main);
        x = new Add(name: "residual_add").Call(main, shortcut);
        x = new ReLU(maxValue: 6f, name: "relu6").Call(x);
        x = new ZeroPadding2D(((1, 0), (0, 1)), name: "pad").Call(x);
        var pooled = new MaxPooling2D((3, 3), strides: (2, 2), padding: "same", name: "max_pool").Call(x);
        var averaged = new AveragePooling2D((2, 2), strides: (2, 2), padding: "same", name: "avg_pool").Call(x);
        averaged = new LeakyReLU(0.2f, name: "leaky").Call(averaged);
        x = new Concatenate(name: "concat").Call(pooled, averaged);
        x = new Conv2D(16, (3, 3), padding: "same", activation: "tanh", name: "head_conv").Call(x);
        var features = new GlobalAveragePooling2D(name: "gap").Call(x);
        features = new BatchNormalization(name: "features_bn").Call(features);
        var outputs = new Dense(5, activation: "softmax", name: "classes").Call(features);
        var model = new Model(input, outputs, name: "residual");
        var r = new System.Random(3);
        foreach (var p in model.Parameters.Where(p => p.Owner is BatchNormalization))
            for (int i = 0; i < p.Value.Size; i++)
                p.Value.Data[i] = p.Name switch
                {
                    "moving_mean" => r.NextSingle() - 0.5f,
                    "moving_variance" => 0.5f + 1.5f * r.NextSingle(),
                    "gamma" => 0.5f + r.NextSingle(),
                    _ => 0.4f * r.NextSingle() - 0.2f,
                };
        return model;
    }

    [Fact]
    public void EveryOtherExportableLayerMatchesOnnxRuntime() => ExportAndCompare(OtherLayers(), "other_layers", -1f, 1f);

    /// <summary>
    /// The layer kinds the chapter models do not use: ElementwiseConstant (per-pixel and per-channel), Subtract, Multiply,
    /// Permute, Reshape, Slice, Softmax on the channel axis, a Dense on an image's last axis, GlobalMaxPooling2D,
    /// GlobalAveragePooling2D with keepdims, BatchNormalization and a capped leaky ReLU on vectors.
    /// </summary>
    internal static Model OtherLayers()
    {
        var input = new Input(6, 5, 4);
        var r = new System.Random(9);
        Tensor Constant(params int[] shape)
        {
            var t = new Tensor(shape);
            for (int i = 0; i < t.Size; i++) t.Data[i] = r.NextSingle() - 0.5f;
            return t;
        }
        var x = new ElementwiseConstant("subtract", Constant(6, 5, 4), name: "minus_image").Call(input);
        x = new ElementwiseConstant("multiply", Constant(4), name: "times_channel").Call(x);
        var a = new Conv2D(4, (3, 3), padding: "same", name: "branch_a").Call(x);
        var b = new ElementwiseConstant("reverse_subtract", Constant(1), name: "one_minus").Call(x);
        x = new Subtract(name: "difference").Call(a, b);
        x = new Multiply(name: "product").Call(x, new DeepSharp.Layers.Activation("sigmoid", name: "gate").Call(a));
        var permuted = new Permute([2, 1, 3], name: "swap_hw").Call(x);                 // (5, 6, 4)
        var reshaped = new DeepSharp.Layers.Reshape([6, 5, 4], name: "back_to_image").Call(permuted);
        var sliced = new DeepSharp.Layers.Slice(-1, 1, 3, name: "channels_1_2").Call(reshaped);   // (6, 5, 2)
        var soft = new DeepSharp.Layers.Softmax(-1, name: "channel_softmax").Call(sliced);
        var dense = new Dense(3, activation: "tanh", name: "pixel_dense").Call(soft);     // (6, 5, 3)
        var gmp = new GlobalMaxPooling2D(name: "gmp").Call(dense);
        var gap = new GlobalAveragePooling2D(name: "gap_keep", keepdims: true).Call(dense);   // (1, 1, 3)
        var flat = new Flatten(name: "flat_gap").Call(gap);
        var v = new Concatenate(name: "features").Call(gmp, flat);
        v = new BatchNormalization(name: "vector_bn").Call(v);
        v = new ReLU(maxValue: 0.5, negativeSlope: 0.1, name: "capped_leaky").Call(v);
        var model = new Model(input, new Dense(4, name: "logits").Call(v), name: "other_layers");
        foreach (var p in model.Parameters.Where(p => p.Owner is BatchNormalization && p.Name == "moving_variance"))
            p.Value.Span.Fill(0.25f);
        return model;
    }

    [Fact]
    public void SequencesExportToo()
    {
        // (steps, features) per sample: Dense on the last axis is a MatMul, BatchNormalization moves its channel axis to 1 and back.
        var input = new Input(5, 4);
        var x = new Dense(6, activation: "relu", name: "per_step").Call(input);
        x = new BatchNormalization(name: "sequence_bn").Call(x);
        x = new DeepSharp.Layers.Softmax(1, name: "over_steps").Call(x);
        var model = new Model(input, new Flatten(name: "flat").Call(x));
        foreach (var p in model.Parameters.Where(p => p.Name == "moving_mean")) p.Value.Span.Fill(0.3f);
        ExportAndCompare(model, "sequence", -1f, 1f);
    }

    [Fact]
    public void TheFileIsNamedAfterTheLayersAndTakesAFreeBatchOfNhwcImages()
    {
        var model = Residual();
        using var dir = new TempFolder();
        string path = dir.File("residual.onnx");
        model.SaveOnnx(path);
        var proto = OnnxFile.Read(path);
        var input = proto.Graph.Input.Single();
        Assert.Equal("batch", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([17L, 15, 3], input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        var names = proto.Graph.Node.Select(n => n.Name).ToHashSet();
        foreach (var layer in new[] { "stem", "stem_bn", "main_bn", "residual_add", "relu6", "pad", "max_pool", "avg_pool", "concat", "gap", "classes" })
            Assert.Contains(layer, names);
        Assert.Equal(17, proto.OpsetImport.Single().Version);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));

        // channels-first: (batch, 3, 17, 15), same numbers.
        string nchw = dir.File("residual_nchw.onnx");
        model.SaveOnnx(nchw, channelsFirst: true);
        OnnxExportCheck.Checker(nchw);
        var x = OnnxExportCheck.Random(5, 0f, 255f, 2, 17, 15, 3);
        var xc = new Tensor(2, 3, 17, 15);
        DeepSharp.Backends.Cpu.AxisOps.Permute(x, xc, [0, 3, 1, 2]);
        var (ort, _) = OnnxExportCheck.Run(nchw, xc);
        OnnxExportCheck.AssertClose(model.Predict(x).Span, ort, 1e-5, "channels-first export");
    }

    [Fact]
    public void ALayerWithoutAnOnnxFormIsNamedInTheError()
    {
        var input = new Input(8, 8, 3);
        var x = new Conv2D(4, (3, 3), name: "conv").Call(input);
        x = new ReLU(threshold: 0.5f, name: "thresholded").Call(x);
        var model = new Model(input, new Flatten().Call(x));
        using var dir = new TempFolder();
        var e = Assert.Throws<NotSupportedException>(() => model.SaveOnnx(dir.File("m.onnx")));
        Assert.Contains("'thresholded'", e.Message);
        Assert.Contains("threshold", e.Message);
        Assert.False(File.Exists(dir.File("m.onnx")));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChapterModels.MnistConvnet().SaveOnnx(dir.File("m.onnx"), opset: 12));
    }

    [Fact]
    public void ExportedModelsImportBackEqual()
    {
        // DeepSharp → ONNX → DeepSharp: the NHWC input and the transposes around Flatten come back as no layers at all.
        using var dir = new TempFolder();
        foreach (var (model, name) in new[] { (Residual(), "residual"), (ChapterModels.MnistConvnet(), "mnist") })
        {
            string path = dir.File(name + ".onnx");
            model.SaveOnnx(path);
            var back = OnnxModel.Load(path);
            Assert.Equal(model.InputShape, back.InputShape);
            Assert.DoesNotContain(back.Layers, l => l is Permute);
            var x = OnnxExportCheck.Random(11, 0f, 1f, [3, .. model.InputShape!]);
            double worst = OnnxExportCheck.AssertClose(model.Predict(x).Span, back.Predict(x).Span, 1e-5, $"{name} imported back");
            output.WriteLine($"{name}: DeepSharp → ONNX → DeepSharp worst relative difference {worst:g3}");
        }
    }
}
