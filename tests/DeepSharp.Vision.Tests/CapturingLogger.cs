using Microsoft.Extensions.Logging;

namespace DeepSharp.Vision.Tests;

/// <summary>An <see cref="ILogger"/> that keeps every message, for tests that assert what the library logged.</summary>
internal sealed class CapturingLogger : ILogger
{
    public List<(LogLevel Level, string Text)> Messages { get; } = new();
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Messages) Messages.Add((logLevel, formatter(state, exception)));
    }
}
