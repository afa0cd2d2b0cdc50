using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Admin;

/// <summary>The hub connections open on this instance, by user, so they can be closed on request.</summary>
/// <remarks>Filled by <see cref="ConnectionTrackingFilter"/> for every hub.</remarks>
public sealed class ConnectionRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, TrackedConnection>> _byUser = new(StringComparer.Ordinal);

    public void Add(TrackedConnection connection)
    {
        lock (_gate)
        {
            if (!_byUser.TryGetValue(connection.UserId, out var connections))
            {
                connections = new(StringComparer.Ordinal);
                _byUser[connection.UserId] = connections;
            }
            connections[connection.ConnectionId] = connection;
        }
    }

    public void Remove(string userId, string connectionId)
    {
        lock (_gate)
        {
            if (_byUser.TryGetValue(userId, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
            {
                _byUser.Remove(userId);
            }
        }
    }

    public IReadOnlyList<TrackedConnection> ConnectionsOf(string userId)
    {
        lock (_gate)
        {
            return _byUser.TryGetValue(userId, out var connections) ? [.. connections.Values] : [];
        }
    }
}

/// <summary>An open connection: which hub it is on and the context that can abort it.</summary>
public sealed record TrackedConnection(string ConnectionId, string UserId, Type HubType, HubCallerContext Context);
