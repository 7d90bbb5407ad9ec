using DeepSharp.Logging;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace DeepSharp.Vision.Tests;

/// <summary>
/// Keras' "Found N images belonging to K classes." goes to DeepSharpLogging.Logger, not to the console; iterators give up
/// waiting for a batch when their token is cancelled.
/// </summary>
[Collection("DeepSharpLogging")]
public class LoggingAndCancellationTests
{
    [Fact]
    public void FlowFromDirectoryLogsWhatItFound()
    {
        using var dir = new TempDir();
        foreach (var (cls, n) in new[] { ("cats", 2), ("dogs", 3) })
            for (int i = 0; i < n; i++)
                TestFiles.Write(Path.Combine(dir.Path, cls, $"{i}.png"), TestFiles.Solid(4, 4, 9, 9, 9), 4, 4, SKEncodedImageFormat.Png);
        var capture = new CapturingLogger();
        var before = DeepSharpLogging.Logger;
        DeepSharpLogging.Logger = capture;
        try
        {
            using var it = new ImageDataGenerator().FlowFromDirectory(dir.Path, (4, 4), batchSize: 2);
        }
        finally { DeepSharpLogging.Logger = before; }
        lock (capture.Messages)
            Assert.Contains((LogLevel.Information, "Found 5 images belonging to 2 classes."), capture.Messages);
    }

    [Fact]
    public void AnIteratorStopsWaitingWhenCancelled()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 4; i++)
            TestFiles.Write(Path.Combine(dir.Path, "a", $"{i}.png"), TestFiles.Solid(4, 4, 9, 9, 9), 4, 4, SKEncodedImageFormat.Png);
        using var it = new ImageDataGenerator().FlowFromDirectory(dir.Path, (4, 4), batchSize: 2);
        using var cancel = new CancellationTokenSource();
        Assert.Equal(2, it.Next(cancel.Token).X.Dim(0));
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => it.Next(cancel.Token));
        Assert.Equal(2, it.Next().X.Dim(0));   // still usable afterwards
    }
}
