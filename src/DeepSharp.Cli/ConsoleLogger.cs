using Microsoft.Extensions.Logging;

namespace DeepSharp.Cli;

/// <summary>
/// The command line's logger for the library's messages: information to standard output (as Keras prints
/// "Found 2000 images belonging to 2 classes."), warnings and errors to standard error. No prefixes, so the output
/// reads as before the library logged through <c>DeepSharpLogging</c>.
/// </summary>
internal sealed class ConsoleLogger : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        (logLevel >= LogLevel.Warning ? Console.Error : Console.Out).WriteLine(formatter(state, exception));
    }
}
