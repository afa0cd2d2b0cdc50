using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Hubs.Server.Stats;

namespace Hubs.Server.Limits;

/// <summary>What one dropped slow consumer had waiting for it when it was closed.</summary>
public sealed record SlowConsumerDrop(string ConnectionId, string? UserId, long BufferedBytes, long Limit);

/// <summary>
/// The guards of this instance's open hub connections: how many bytes wait for each, and the connections
/// closed for not reading (counted on the <c>RealtimeHubs</c> meter as <c>realtimehubs.slow_consumers.dropped</c>).
/// </summary>
public sealed class SlowConsumerMonitor
{
    public const string DroppedInstrument = "realtimehubs.slow_consumers.dropped";

    private readonly ConcurrentDictionary<string, SlowConsumerGuard> _guards = new(StringComparer.Ordinal);
    private readonly Counter<long> _dropped;

    public SlowConsumerMonitor(IMeterFactory meterFactory)
    {
        _dropped = meterFactory.Create(HubMetrics.MeterName)
            .CreateCounter<long>(DroppedInstrument, "{connection}", "Connections closed because they did not read what the server sent.");
    }

    /// <summary>Raised once per connection closed for not reading.</summary>
    public event Action<SlowConsumerDrop>? Dropped;

    /// <summary>Bytes waiting for an open connection (not yet taken by its transport), or null when it is not open here.</summary>
    public long? BufferedBytes(string connectionId) => _guards.TryGetValue(connectionId, out var guard) ? guard.BufferedBytes : null;

    /// <summary>The guard an open connection writes through now (a new one after each stateful reconnect).</summary>
    internal SlowConsumerGuard? GuardOf(string connectionId) => _guards.GetValueOrDefault(connectionId);

    internal void Track(string connectionId, SlowConsumerGuard guard) => _guards[connectionId] = guard;

    internal void Forget(string connectionId) => _guards.TryRemove(connectionId, out _);

    internal void OnDropped(SlowConsumerDrop drop)
    {
        _dropped.Add(1);
        Dropped?.Invoke(drop);
    }
}
