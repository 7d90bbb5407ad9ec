using System.IO.Compression;
using System.Text.Json.Nodes;
using DeepSharp.Backends;
using DeepSharp.Backends.Reference;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Saving;
using DeepSharp.Tests.Data;
using DeepSharp.Tests.Onnx;
using static DeepSharp.Tests.GradientCheck;

namespace DeepSharp.Tests.Layers;

/// <summary>
/// Keras 3's Rescaling with per-channel scale and offset arrays (keras/src/layers/preprocessing/rescaling.py: an array
/// broadcasts against the channels-last input): values, gradient, both backends, .keras round trip, Keras' serialized
/// NumPy arrays, ONNX export, and the channel-count error.
/// </summary>
[Collection("GemmPath")]   // swaps Backend.Current
public class RescalingTests
{
    private static readonly double[] Scale = [0.5, -2.0, 0.25], Offset = [1.0, 0.0, -3.0];

    [Fact]
    public void EachChannelGetsItsOwnScaleAndOffsetOnBothBackends()
    {
        var x = Random(1, [2, 3, 4, 3], -5f, 5f);
        IBackend saved = Backend.Current;
        try
        {
            foreach (var backend in new IBackend[] { Backend.Cpu, new ReferenceBackend() })
            {
                Backend.Current = backend;
                var model = new Sequential(new Rescaling(Scale, Offset, inputShape: (3, 4, 3)));
                var y = model.Predict(x).Span;
                var xs = x.Span;
                for (int i = 0; i < xs.Length; i++)
                    Assert.Equal((float)(xs[i] * (float)Scale[i % 3] + (float)Offset[i % 3]), y[i], 5);
            }
        }
        finally { Backend.Current = saved; }
    }

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        LayerGradientCheck.Check(new Rescaling(Scale, Offset), [Random(5, [2, 3, 4, 3])]);
        LayerGradientCheck.Check(new Rescaling(Scale), [Random(6, [2, 5, 3])]);   // any rank: channels are the last axis
    }

    [Fact]
    public void OneNumberAndArraysMix()
    {
        var x = Random(2, [1, 2, 2, 3]);
        var a = new Sequential(new Rescaling([2.0], [0.5, 1.0, 1.5], inputShape: (2, 2, 3))).Predict(x).Span.ToArray();
        for (int i = 0; i < a.Length; i++) Assert.Equal(x.Span[i] * 2f + 0.5f * (1 + i % 3), a[i], 5);
        var r = new Rescaling(1.0 / 255, offset: -1);
        Assert.Equal(1f / 255, r.Scale);
        Assert.Equal([-1f], r.Offsets);
    }

    [Fact]
    public void SavedAsListsAndLoadedBack()
    {
        using var dir = new TempFolder();
        var model = new Sequential(new Rescaling(Scale, Offset, inputShape: (3, 4, 3), name: "norm"), new Flatten(), new Dense(2));
        var x = Random(3, [2, 3, 4, 3], 0f, 255f);
        string path = dir.File("m.keras");
        model.Save(path);
        JsonObject config;
        using (var zip = ZipFile.OpenRead(path))
        using (var s = zip.GetEntry("config.json")!.Open())
            config = JsonNode.Parse(s)!["config"]!["layers"]!.AsArray().Select(l => l!.AsObject()).First(l => (string?)l["class_name"] == "Rescaling")["config"]!.AsObject();
        Assert.Equal("[0.5,-2,0.25]", config["scale"]!.ToJsonString());
        Assert.Equal("[1,0,-3]", config["offset"]!.ToJsonString());
        var loaded = Model.Load(path);
        var r = Assert.IsType<Rescaling>(loaded.GetLayer("norm"));
        Assert.Equal(Scale.Select(v => (float)v), r.Scales);
        Assert.Equal(Offset.Select(v => (float)v), r.Offsets);
        Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
    }

    [Fact]
    public void ReadsKerasSerializedNumpyArraysAndNumbers()
    {
        // What Keras 3 writes for Rescaling(scale=np.array([...]), offset=0.5): serialize_keras_object of an ndarray.
        var json = JsonNode.Parse("""
            {"name": "rescaling", "scale": {"class_name": "__numpy__", "config": {"value": [0.5, 2.0, 4.0], "dtype": "float32"}}, "offset": 0.5}
            """)!.AsObject();
        var r = Rescaling.FromConfig(new LayerConfig("Rescaling", json));
        Assert.Equal([0.5f, 2f, 4f], r.Scales);
        Assert.Equal([0.5f], r.Offsets);
        var plain = Rescaling.FromConfig(new LayerConfig("Rescaling", JsonNode.Parse("""{"scale": 0.00392156862745098}""")!.AsObject()));
        Assert.Equal(1f / 255, plain.Scale);
        Assert.Equal(0f, plain.Offset);
    }

    [Fact]
    public void ExportsToOnnxPerChannel()
    {
        var inputs = new Input(5, 6, 3);
        var x = new Rescaling(Scale, Offset).Call(inputs);
        x = new Conv2D(4, 3, activation: "relu").Call(x);
        var model = new Model(inputs, new Dense(2).Call(new Flatten().Call(x)));
        var flat = new Model(inputs, new Flatten().Call(new Rescaling([0.1, 0.2, 0.3], [0.0, 1.0, 2.0]).Call(inputs)));
        using var dir = new TempFolder();
        foreach (var (m, name) in new[] { (model, "conv.onnx"), (flat, "flat.onnx") })
        {
            string path = dir.File(name);
            m.SaveOnnx(path);
            OnnxExportCheck.Checker(path);
            var images = OnnxExportCheck.Random(4, 0f, 255f, 2, 5, 6, 3);
            var (ort, _) = OnnxExportCheck.Run(path, images);
            OnnxExportCheck.AssertClose(m.Predict(images).Span, ort, 1e-5, name);
        }
    }

    [Fact]
    public void AWrongNumberOfValuesNamesTheLayerAndTheChannels()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new Rescaling([1.0, 2.0], name: "norm", inputShape: (4, 4, 3))).Predict(new Tensor(1, 4, 4, 3)));
        Assert.Contains("Rescaling 'norm'", e.Message);
        Assert.Contains("scale has 2 values but the input has 3 channels", e.Message);
        Assert.Throws<ArgumentException>(() => new Rescaling([]));
        Assert.Throws<ArgumentException>(() => new Rescaling([double.NaN]));
    }
}
