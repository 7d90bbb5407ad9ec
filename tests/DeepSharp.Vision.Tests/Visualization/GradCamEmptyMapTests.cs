using DeepSharp.Layers;
using DeepSharp.Logging;
using DeepSharp.Models;
using Microsoft.Extensions.Logging;

namespace DeepSharp.Vision.Tests;

/// <summary>
/// An all-zero Grad-CAM map is an answer (no positive evidence for the class at that layer), so it comes with a warning
/// that says so and names an earlier convolutional layer that does show some (issue 26). The weights are set by hand so
/// the answer is known: every channel of "conv_b" lowers class 0's score, while "conv_a" feeds it through conv_b's
/// negative kernel, so its map for class 0 is positive.
/// </summary>
[Collection("DeepSharpLogging")]
public class GradCamEmptyMapTests
{
    private static Tensor Filled(float value, params int[] shape)
    {
        var t = new Tensor(shape);
        Array.Fill(t.Data, value);
        return t;
    }

    private static Sequential Model()
    {
        var model = new Sequential(
            new Conv2D(2, (3, 3), activation: "relu", inputShape: (6, 6, 1), name: "conv_a"),
            new Conv2D(2, (1, 1), activation: "relu", name: "conv_b"),
            new GlobalAveragePooling2D(),
            new Dense(2, activation: "softmax", name: "predictions"));
        model.GetLayer("conv_a").SetWeights([Filled(0.1f, 3, 3, 1, 2), Filled(0f, 2)]);
        model.GetLayer("conv_b").SetWeights([Filled(-0.1f, 1, 1, 2, 2), Filled(5f, 2)]);   // active (bias 5), lowered by conv_a
        var dense = new Tensor(2, 2);
        dense.Data[0] = -1; dense.Data[1] = 1; dense.Data[2] = -1; dense.Data[3] = 1;        // class 0: -1 per channel, class 1: +1
        model.GetLayer("predictions").SetWeights([dense, Filled(0f, 2)]);
        return model;
    }

    private static (GradCamResult Cam, List<(LogLevel Level, string Text)> Log) Compute(int cls, string? layer = null)
    {
        var capture = new CapturingLogger();
        var before = DeepSharpLogging.Logger;
        DeepSharpLogging.Logger = capture;
        try { return (GradCam.Compute(Model(), Filled(1f, 6, 6, 1), cls, layer), capture.Messages); }
        finally { DeepSharpLogging.Logger = before; }
    }

    [Fact]
    public void AnAllZeroMap_IsExplained_AndAnEarlierLayerWithEvidenceIsNamed()
    {
        var (cam, log) = Compute(0);
        Assert.Equal("conv_b", cam.LayerName);
        Assert.All(cam.Heatmap.Data, v => Assert.Equal(0f, v));
        var warning = Assert.Single(log, m => m.Level == LogLevel.Warning);
        Assert.Contains("class 0 at layer 'conv_b' is all zero: no positive evidence for that class at that layer", warning.Text);
        Assert.Contains("'conv_a' does show some", warning.Text);

        var (earlier, quiet) = Compute(0, "conv_a");   // the layer the warning names: a map, and no warning
        Assert.True(earlier.Heatmap.Data.Max() == 1f);
        Assert.DoesNotContain(quiet, m => m.Level == LogLevel.Warning);
    }

    [Fact]
    public void AMapWithEvidence_HasNoWarning()
    {
        var (cam, log) = Compute(1);
        Assert.Equal(1f, cam.Heatmap.Data.Max());
        Assert.DoesNotContain(log, m => m.Level == LogLevel.Warning);
    }
}
