using Microsoft.Extensions.Logging;

namespace Hubs.Tests.Infrastructure;

/// <summary>
/// A logger provider that keeps every record with the scope values active when it was written, the way a
/// structured sink (JSON console, OpenTelemetry) would see them.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly Lock _gate = new();
    private readonly List<LogRecord> _records = [];
    private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    /// <summary>Everything logged so far, in order.</summary>
    public IReadOnlyList<LogRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>The first record that matches, already logged or still to come; a TimeoutException naming <paramref name="what"/> otherwise.</summary>
    public async Task<LogRecord> WaitForAsync(Func<LogRecord, bool> match, string what)
    {
        LogRecord? found = null;
        await WaitUntilAsync(records => (found = records.FirstOrDefault(match)) is not null, what);
        return found!;
    }

    /// <summary>
    /// Completes once <paramref name="condition"/> holds for the records so far (checked after each new one), e.g. about
    /// their order; a TimeoutException naming <paramref name="what"/> otherwise.
    /// </summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<LogRecord>, bool> condition, string what)
    {
        using var cts = new CancellationTokenSource(Timeouts.Default);
        while (true)
        {
            Task written;
            lock (_gate)
            {
                if (condition(_records))
                {
                    return;
                }
                written = _written.Task;
            }
            try
            {
                await written.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not logged within {Timeouts.Default}: {what}.");
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private void Write(LogRecord record)
    {
        TaskCompletionSource written;
        lock (_gate)
        {
            _records.Add(record);
            written = _written;
            _written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        written.TrySetResult();
    }

    private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopeValues = new Dictionary<string, object?>(StringComparer.Ordinal);
            provider._scopes.ForEachScope((scope, values) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs)
                    {
                        values[key] = value;
                    }
                }
            }, scopeValues);
            var fields = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            provider.Write(new LogRecord(category, logLevel, eventId.Id, formatter(state, exception),
                fields.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), scopeValues));
        }
    }
}

/// <summary>
/// One log record: <c>Fields</c> are the message template's values (e.g. <c>UserId</c>), <c>Scope</c> the values of
/// all scopes active when it was written (inner scopes win on equal keys).
/// </summary>
public sealed record LogRecord(string Category, LogLevel Level, int EventId, string Message,
    IReadOnlyDictionary<string, object?> Fields, IReadOnlyDictionary<string, object?> Scope);
