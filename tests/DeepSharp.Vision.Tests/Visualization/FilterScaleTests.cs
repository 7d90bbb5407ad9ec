using DeepSharp.Layers;
using DeepSharp.Logging;
using DeepSharp.Models;
using Microsoft.Extensions.Logging;

namespace DeepSharp.Vision.Tests;

/// <summary>
/// Filter patterns read the input scale from the model (InputConvention.PixelScale, the rule the command line uses too)
/// and name the filters whose objective never left 0 (issue 26).
/// </summary>
[Collection("DeepSharpLogging")]
public class FilterScaleTests
{
    private sealed class WarningLog : ILogger
    {
        public List<string> Warnings { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) lock (Warnings) Warnings.Add(formatter(state, exception));
        }
    }

    private static Tensor Filled(float value, params int[] shape)
    {
        var t = new Tensor(shape);
        Array.Fill(t.Data, value);
        return t;
    }

    /// <summary>Filter 0 answers to brightness, filter 1 has a bias so negative that it never activates.</summary>
    private static Sequential Model(bool rescaling)
    {
        var conv = new Conv2D(2, (3, 3), activation: "relu", name: "conv");
        var model = rescaling
            ? new Sequential(new Rescaling(1.0 / 255, inputShape: (8, 8, 1)), conv)
            : new Sequential(new Conv2D(2, (3, 3), activation: "relu", inputShape: (8, 8, 1), name: "conv"));
        var c = (Conv2D)model.GetLayer("conv");
        var bias = new Tensor(2);
        bias.Data[1] = -1e6f;
        c.SetWeights([Filled(0.1f, 3, 3, 1, 2), bias]);
        return model;
    }

    [Fact]
    public void TheInputScaleComesFromTheModel_AndMatchesTheExplicitOne()
    {
        Assert.Equal(1.0, InputConvention.PixelScale(Model(rescaling: true)));
        Assert.Equal(1.0 / 255, InputConvention.PixelScale(Model(rescaling: false)));
        var plain = Model(rescaling: false);
        var byDefault = FilterPatterns.Generate(plain, "conv", 0, steps: 3);
        var explicitScale = FilterPatterns.Generate(plain, "conv", 0, steps: 3, inputScale: 1.0 / 255);
        Assert.Equal(explicitScale.Objective, byDefault.Objective);
        Assert.NotEqual(FilterPatterns.Generate(plain, "conv", 0, steps: 3, inputScale: 1).Objective, byDefault.Objective);
        // A model with its Rescaling in front sees the same pixels at scale 1 as the plain one at 1/255.
        Assert.Equal(byDefault.Objective[0], FilterPatterns.Generate(Model(rescaling: true), "conv", 0, steps: 3).Objective[0], 4);
    }

    [Fact]
    public void FiltersThatNeverActivate_AreReported()
    {
        var log = new WarningLog();
        var before = DeepSharpLogging.Logger;
        DeepSharpLogging.Logger = log;
        IReadOnlyList<FilterPattern> patterns;
        using var dir = new TempDir();
        try { patterns = FilterPatterns.SaveGrid(Model(rescaling: false), "conv", Path.Combine(dir.Path, "f.png"), steps: 4); }
        finally { DeepSharpLogging.Logger = before; }
        Assert.False(patterns[0].StayedAtZero);
        Assert.True(patterns[1].StayedAtZero);
        string warning = Assert.Single(log.Warnings);
        Assert.Contains("1 of 2 filters of layer 'conv' stayed at an objective of exactly 0 for all 4 steps: 1.", warning);
    }
}
