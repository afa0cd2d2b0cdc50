using System.Collections.Concurrent;
using Hubs.Server.Auth;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

/// <summary>
/// Counts this instance's hub connections, in all and per user, against <see cref="LimitsOptions.MaxConnectionsPerInstance"/>
/// and <see cref="LimitsOptions.MaxConnectionsPerUser"/>.
/// </summary>
/// <remarks>
/// A slot is claimed when the connection arrives, before the SignalR handshake is answered: the client's start
/// completes on that answer, so a connection a client has seen start always holds its slot before the client can
/// open another. Claiming later (in a hub filter's <c>OnConnectedAsync</c>, which SignalR runs only after the
/// answer and after the hub lifetime manager's and the hub's own setup) let a slow first connection be counted
/// after a second one, which was then kept while the first was refused.
/// </remarks>
internal sealed class ConnectionSlots(IOptions<LimitsOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _connectionsByUser = new(StringComparer.Ordinal);
    private int _connections;

    /// <summary>
    /// Claims a slot for <paramref name="connection"/> (user from its principal's <c>sub</c>, as SignalR's user id)
    /// and records the outcome as its <see cref="ConnectionSlot"/> feature; dispose the result when the connection ends.
    /// </summary>
    public ConnectionSlot Claim(ConnectionContext connection)
    {
        var user = connection.Features.Get<IConnectionUserFeature>()?.User.UserId();
        var slot = ClaimFor(user);
        connection.Features.Set(slot);
        return slot;
    }

    private ConnectionSlot ClaimFor(string? user)
    {
        var settings = options.Value;
        if (Interlocked.Increment(ref _connections) > settings.MaxConnectionsPerInstance)
        {
            Interlocked.Decrement(ref _connections);
            return new ConnectionSlot(this, user, ConnectionRefusal.InstanceFull, settings.MaxConnectionsPerInstance);
        }
        if (user is null)
        {
            return new ConnectionSlot(this, null, null, 0);
        }
        var count = _connectionsByUser.AddOrUpdate(user, 1, (_, n) => n + 1);
        if (count > settings.MaxConnectionsPerUser)
        {
            ReleaseUser(user);
            Interlocked.Decrement(ref _connections);
            return new ConnectionSlot(this, user, ConnectionRefusal.UserFull, settings.MaxConnectionsPerUser);
        }
        return new ConnectionSlot(this, user, null, 0);
    }

    internal void Release(string? user)
    {
        if (user is not null)
        {
            ReleaseUser(user);
        }
        Interlocked.Decrement(ref _connections);
    }

    private void ReleaseUser(string user)
    {
        // Remove the entry at zero so the map does not grow with every user ever seen.
        while (true)
        {
            var current = _connectionsByUser.GetValueOrDefault(user);
            if (current <= 1)
            {
                if (_connectionsByUser.TryRemove(new KeyValuePair<string, int>(user, current)) || current == 0)
                {
                    return;
                }
            }
            else if (_connectionsByUser.TryUpdate(user, current - 1, current))
            {
                return;
            }
        }
    }
}

/// <summary>Why <see cref="ConnectionSlots"/> refused a connection.</summary>
internal enum ConnectionRefusal
{
    InstanceFull,
    UserFull,
}

/// <summary>
/// A connection's claim on <see cref="ConnectionSlots"/>, kept in its features for <see cref="ConnectionLimitFilter"/>;
/// a refused claim holds nothing.
/// </summary>
internal sealed class ConnectionSlot(ConnectionSlots slots, string? user, ConnectionRefusal? refusal, int limit) : IDisposable
{
    private int _released;

    /// <summary>The user id the slot was counted under; <c>null</c> for a connection without one.</summary>
    public string? User { get; } = user;

    /// <summary><c>null</c> when the connection holds a slot.</summary>
    public ConnectionRefusal? Refusal { get; } = refusal;

    /// <summary>The limit that refused it.</summary>
    public int Limit { get; } = limit;

    public void Dispose()
    {
        if (Refusal is null && Interlocked.Exchange(ref _released, 1) == 0)
        {
            slots.Release(User);
        }
    }
}
