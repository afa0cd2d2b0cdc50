using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Abstractions;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;

namespace Hubs.Server.Lifetime;

/// <summary>
/// Closes every hub connection on purpose as soon as the server starts stopping, the way SignalR closes a
/// connection whose token expired: the hub sends a close message that allows reconnecting, then ends the connection.
/// </summary>
/// <remarks>
/// SignalR's own shutdown (HttpConnectionManager on ApplicationStopping) cancels each WebSocket transport's read,
/// but a connection with stateful reconnect has no cancellable read (SignalR drops that token when it sets the
/// connection up for reconnects). Its transport then ends only when the client next sends a frame, usually its
/// keep-alive ping up to 15 s later; until then SignalR blocks ApplicationStopping for up to 5 s (Kestrel keeps
/// listening meanwhile) and Kestrel waits for the WebSocket request. A close message instead makes the client close
/// its side at once, after everything written before it, and go to its reconnect policy.
/// </remarks>
internal sealed class ShutdownConnectionCloser(IHostApplicationLifetime lifetime, ILogger<ShutdownConnectionCloser> logger)
{
    /// <summary>
    /// How long stopping waits for the closed connections to end before SignalR's own callback runs. A client that
    /// reads closes its side within a round trip (0.1-0.3 s measured); one that stopped reading holds the stop this
    /// long, then SignalR's own wait for it runs out as before (6-7 s in all with a frozen JS client, with or without
    /// this wait).
    /// </summary>
    private static readonly TimeSpan ClosingWait = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<ConnectionContext, byte> _open = new();
    private bool _waitRegistered;

    /// <summary>
    /// Closes <paramref name="connection"/> when the server starts stopping (at once if it already is); dispose the
    /// result when the connection ends.
    /// </summary>
    /// <remarks>
    /// ApplicationStopping runs its callbacks last-registered first (how CancellationTokenSource behaves, not a documented
    /// promise: GracefulStopTests would see the close message cut off again). SignalR's (registered before any connection)
    /// disposes every connection without waiting for what its transport still has to send, which can cut off the
    /// close message. So the wait for the connections to end is registered after SignalR's and before the first
    /// connection's own callback: each connection is asked to close, then stopping waits (see
    /// <see cref="ClosingWait"/>), then SignalR's callback finds them gone.
    /// </remarks>
    public CancellationTokenRegistration CloseWhenStopping(ConnectionContext connection)
    {
        lock (_gate)
        {
            if (!_waitRegistered)
            {
                _waitRegistered = true;
                lifetime.ApplicationStopping.UnsafeRegister(static state => ((ShutdownConnectionCloser)state!).WaitForClosedConnections(), this);
            }
        }
        // Only WebSockets: a long-polling client fetches the close message with a poll the stopping server refuses
        // (503, see ShutdownExtensions), so its connection would hold the stop for the whole wait.
        if (connection.Features.Get<IHttpTransportFeature>()?.TransportType is HttpTransportType.WebSockets)
        {
            TrackUntilClosed(connection);
        }
        return lifetime.ApplicationStopping.UnsafeRegister(static state =>
        {
            var (closer, connection) = ((ShutdownConnectionCloser, ConnectionContext))state!;
            closer.Close(connection);
        }, (this, connection));
    }

    /// <summary>Until the connection has ended, not only its hub: its transport may still be sending the close message.</summary>
    private void TrackUntilClosed(ConnectionContext connection)
    {
        _open[connection] = 0;
        connection.ConnectionClosed.UnsafeRegister(static state =>
        {
            var (closer, connection) = ((ShutdownConnectionCloser, ConnectionContext))state!;
            closer._open.TryRemove(connection, out _);
        }, (this, connection));
    }

    private void Close(ConnectionContext connection)
    {
#pragma warning disable CA2252 // Preview feature: see GuardedReconnectFeature's remarks.
        // This instance is going away: a client coming back for this connection must not be expected (nor waited for).
        connection.Features.Get<IStatefulReconnectFeature>()?.DisableReconnect();
#pragma warning restore CA2252
        // SignalR's hub connection listens to this request: it sends a close message with allowReconnect=true behind
        // what is already queued, and ends the connection; the client closes its WebSocket in turn.
        if (connection.Features.Get<IConnectionLifetimeNotificationFeature>() is { } notification)
        {
            LifetimeLog.ClosingForShutdown(logger, connection.ConnectionId);
            notification.RequestClose();
        }
    }

    /// <summary>Blocks stopping (as SignalR's own callback does) until the connections asked to close have ended.</summary>
    private void WaitForClosedConnections()
    {
        var ended = new List<Task>();
        var registrations = new List<CancellationTokenRegistration>();
        foreach (var connection in _open.Keys)
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            registrations.Add(connection.ConnectionClosed.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), closed));
            ended.Add(closed.Task);
        }
        if (ended.Count > 0 && !Task.WaitAll([.. ended], ClosingWait))
        {
            LifetimeLog.ConnectionsStillOpenAtShutdown(logger, ended.Count(task => !task.IsCompleted), (long)ClosingWait.TotalMilliseconds);
        }
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }
    }
}
