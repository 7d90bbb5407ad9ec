using System.Text.Json;
using System.Text.Json.Nodes;
using DeepSharp.Layers;
using DeepSharp.Models;
using DeepSharp.Saving;
using DeepSharp.Tests.Data;

namespace DeepSharp.Tests.Layers.Preprocessing;

/// <summary>What every preprocessing layer's tests check: its config, a .keras round trip inside a model, the summary.</summary>
internal static class PreprocessingContract
{
    /// <summary>The config as JSON, rebuilt through <see cref="LayerRegistry"/>, gives the same config; returns the copy.</summary>
    public static T ConfigRoundTrip<T>(T layer) where T : Layer
    {
        var json = (JsonObject)JsonSerializer.SerializeToNode(layer.GetConfig())!;
        var copy = (T)LayerRegistry.Create(layer.ClassName, json);
        Assert.Equal(layer.GetType(), copy.GetType());
        Assert.Equal(json.ToJsonString(), JsonSerializer.SerializeToNode(copy.GetConfig())!.ToJsonString());
        Assert.Equal(layer.Name, copy.Name);
        Assert.Equal("channels_last", json["data_format"]!.GetValue<string>());
        return copy;
    }

    /// <summary>
    /// A functional model input → layer → Conv2D, saved as .keras and loaded: same layers and config, same predictions
    /// (inference), and Summary lists the layer with its output shape. Returns the loaded model.
    /// </summary>
    public static Model SaveLoad(Layer layer, int[] inputShape, int[] expectedOutput)
    {
        using var dir = new TempFolder();
        var inputs = new Input(inputShape);
        var x = layer.Call(inputs);
        Assert.Equal(expectedOutput, x.Shape);
        var outputs = new Conv2D(2, 3, name: "conv").Call(x);
        var model = new Model(inputs, outputs);
        string summary = model.SummaryText();
        string cell = $"{layer.Name} ({layer.ClassName})";
        Assert.Contains(cell[..Math.Min(cell.Length, 20)], summary);   // Summary truncates long cells, as Keras
        Assert.Contains($"(None, {string.Join(", ", expectedOutput)})", summary);

        string path = dir.File("m.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        var copy = loaded.Layers.Single(l => l.Name == layer.Name);
        Assert.Equal(layer.GetType(), copy.GetType());
        Assert.Equal(JsonSerializer.Serialize(layer.GetConfig()), JsonSerializer.Serialize(copy.GetConfig()));
        var images = Images(5, [3, .. inputShape]);
        Assert.Equal(model.Predict(images).Span.ToArray(), loaded.Predict(images).Span.ToArray());
        return loaded;
    }

    /// <summary>Random pixels in [0, 255).</summary>
    public static Tensor Images(int seed, int[] shape)
    {
        var r = new System.Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Size; i++) t.Data[i] = (float)(r.NextDouble() * 255);
        return t;
    }

    /// <summary>The constructor's error names the layer class and the argument.</summary>
    public static void RefusesWithClearError(Func<Layer> make, string className, string argument)
    {
        var e = Assert.ThrowsAny<ArgumentException>(make);
        Assert.Contains(className, e.Message);
        Assert.Contains(argument, e.Message);
    }
}
