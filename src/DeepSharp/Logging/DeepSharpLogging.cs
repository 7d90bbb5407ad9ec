using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeepSharp.Logging;

/// <summary>
/// Where DeepSharp's messages go: which dataset was found or downloaded, how many images a folder holds. The library
/// never writes them to the console itself: by default they are dropped (<see cref="NullLogger"/>); set
/// <see cref="Logger"/> once at startup to see them (the deepsharp command line does), or pass a logger to the call
/// (e.g. <c>Mnist.Load(logger: myLogger)</c>). Training progress is a callback instead (<c>ProgbarLogger</c>).
/// </summary>
/// <example><code>
/// using Microsoft.Extensions.Logging;
/// DeepSharpLogging.Logger = LoggerFactory.Create(b => b.AddConsole()).CreateLogger("DeepSharp");
/// var (train, test) = Mnist.Load();   // logs where MNIST came from
/// </code></example>
public static class DeepSharpLogging
{
    private static ILogger _logger = NullLogger.Instance;

    /// <summary>The logger used when a call is not given one; <see cref="NullLogger.Instance"/> until set.</summary>
    public static ILogger Logger
    {
        get => Volatile.Read(ref _logger);
        set => Volatile.Write(ref _logger, value ?? NullLogger.Instance);
    }
}
