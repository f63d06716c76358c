using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>Keeps every log line a gateway node writes, so tests can assert on what an operator would read.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Lines => _lines.ToArray();

    public bool Contains(string text, LogLevel minimum = LogLevel.Trace)
        => _lines.Any(l => l.Level >= minimum && l.Message.Contains(text, StringComparison.Ordinal));

    public int Count(string text) => _lines.Count(l => l.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>Waits (bounded) until a line containing <paramref name="text"/> was written.</summary>
    public async Task WaitForAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!Contains(text))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no log line containing \"{text}\"; lines were:\n{string.Join('\n', _lines.Select(l => l.Message))}");
            }

            await Task.Delay(20);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._lines.Enqueue((logLevel, category, formatter(state, exception)));
            }
        }
    }
}
