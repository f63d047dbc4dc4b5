using Microsoft.Extensions.Logging;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// For one-shot verbs: warnings and errors as single "warning: …" lines on standard error, next to the
/// "error: …" lines of <see cref="CommandLine"/>; anything quieter is dropped.
/// </summary>
internal sealed class ConsoleWarningLogger(TextWriter writer) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            writer.WriteLine($"{(logLevel == LogLevel.Warning ? "warning" : "error")}: {formatter(state, exception)}");
        }
    }
}
