using Hubs.Contracts;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Chat connections that closed while Redis was unreachable, with the rooms they were in, so that
/// <see cref="InstanceJanitor"/> can tell the others UserLeft / UserDisconnected once Redis is back, even when Redis
/// came back without its data and no longer knows the connection.
/// </summary>
/// <remarks>Bounded: at most <see cref="Capacity"/> (beyond that the oldest are dropped, their events lost).</remarks>
internal sealed class OutageDepartures
{
    public const int Capacity = 100_000;

    private const int CompactionSlack = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Departure> _departures = new(StringComparer.Ordinal);
    // Oldest first; may hold ids already removed (skipped when they come round), compacted before it outgrows the map.
    private readonly Queue<string> _order = new();

    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _departures.Count == 0;
            }
        }
    }

    public void Add(Departure departure)
    {
        lock (_gate)
        {
            while (_departures.Count >= Capacity && _order.TryDequeue(out var oldest))
            {
                _departures.Remove(oldest);
            }
            if (_departures.TryAdd(departure.ConnectionId, departure))
            {
                _order.Enqueue(departure.ConnectionId);
            }
            // Connections that come and go while others stay would otherwise grow the queue without bound.
            if (_order.Count > 2 * _departures.Count + CompactionSlack)
            {
                var live = _order.Where(_departures.ContainsKey).ToList();
                _order.Clear();
                live.ForEach(_order.Enqueue);
            }
        }
    }

    /// <summary>Ids the order queue holds, removed ones included (for tests of its bound).</summary>
    internal int QueuedIds
    {
        get
        {
            lock (_gate)
            {
                return _order.Count;
            }
        }
    }

    public IReadOnlyList<Departure> Snapshot()
    {
        lock (_gate)
        {
            return [.. _departures.Values];
        }
    }

    public void Remove(string connectionId)
    {
        lock (_gate)
        {
            // The queue keeps the id until it comes round; Add skips ids that are gone.
            _departures.Remove(connectionId);
            if (_departures.Count == 0)
            {
                _order.Clear();
            }
        }
    }
}

/// <summary>A connection that closed during an outage: who it was and which rooms it was in.</summary>
internal sealed record Departure(string ConnectionId, UserInfo User, IReadOnlyList<string> Rooms);
