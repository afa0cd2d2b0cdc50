using Hubs.Server.Limits;

namespace Hubs.Tests.Infrastructure;

/// <summary>The slow-reader guard's drop of one connection, captured from the moment the watch starts until it is disposed.</summary>
public sealed class DropWatch : IDisposable
{
    private readonly SlowConsumerMonitor _monitor;
    private readonly string _connectionId;
    private readonly TaskCompletionSource<SlowConsumerDrop> _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DropWatch(SlowConsumerMonitor monitor, string connectionId)
    {
        _monitor = monitor;
        _connectionId = connectionId;
        monitor.Dropped += OnDropped;
    }

    /// <summary>Completes when the guard drops the connection.</summary>
    public Task<SlowConsumerDrop> Dropped => _dropped.Task;

    public void Dispose() => _monitor.Dropped -= OnDropped;

    private void OnDropped(SlowConsumerDrop drop)
    {
        if (drop.ConnectionId == _connectionId)
        {
            _dropped.TrySetResult(drop);
        }
    }
}
