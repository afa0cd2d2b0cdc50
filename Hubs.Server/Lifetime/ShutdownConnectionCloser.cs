using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Abstractions;
using Microsoft.AspNetCore.Connections.Features;

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
    /// Closes <paramref name="connection"/> when the server starts stopping (at once if it already is); dispose the
    /// result when the connection ends.
    /// </summary>
    /// <remarks>
    /// Registered per connection, hence after SignalR's own callback (registered at startup): ApplicationStopping runs
    /// its callbacks last-registered first, so the close is under way before SignalR's callback starts waiting (up to
    /// 5 s, synchronously) for the connections to end.
    /// </remarks>
    public CancellationTokenRegistration CloseWhenStopping(ConnectionContext connection) =>
        lifetime.ApplicationStopping.UnsafeRegister(static state =>
        {
            var (closer, connection) = ((ShutdownConnectionCloser, ConnectionContext))state!;
            closer.Close(connection);
        }, (this, connection));

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
}
