namespace Hubs.Client;

public abstract partial class HubClient<THandler>
{
    /// <summary>Every connection state change, in order (each also raises its own event below).</summary>
    public event Action<ConnectionEvent>? ConnectionChanged;

    /// <summary><see cref="StartAsync"/> began connecting.</summary>
    public event Action<ConnectingEvent>? Connecting;

    /// <summary>The first connect succeeded (for a <see cref="ChatClient"/>: the server accepted it, its <c>Welcome</c> came first).</summary>
    public event Action<ConnectedEvent>? Connected;

    /// <summary>A retry of a failed connect or a lost connection is scheduled.</summary>
    public event Action<ReconnectingEvent>? Reconnecting;

    /// <summary>
    /// The connection is back (for a <see cref="ChatClient"/>: accepted by the server, its <c>Welcome</c> came first);
    /// rooms or topics are being restored on it.
    /// </summary>
    public event Action<ReconnectedEvent>? Reconnected;

    /// <summary>The connection was lost or closed by the server (reason set), or stopped by you (reason <c>null</c>).</summary>
    public event Action<DisconnectedEvent>? Disconnected;

    /// <summary>
    /// The retry policy is exhausted, or the server closed the connection on purpose (its <c>Disconnecting</c>
    /// notice) or refused the first connect (the error carries its reason); the client stays disconnected until
    /// started again. A refused reconnect is retried per the policy.
    /// </summary>
    public event Action<GaveUpEvent>? GaveUp;

    /// <summary>Raised whenever the connection closes, with the error if it failed; reconnecting may follow.</summary>
    /// <remarks>Kept for callers of the first client version; <see cref="Disconnected"/> carries the same moment.</remarks>
    public event Func<Exception?, Task>? Closed;

    private void OnStateChanged(ConnectionEvent change)
    {
        ConnectionChanged?.Invoke(change);
        switch (change)
        {
            case ConnectingEvent connecting:
                Connecting?.Invoke(connecting);
                break;
            case ConnectedEvent connected:
                Connected?.Invoke(connected);
                break;
            case ReconnectingEvent reconnecting:
                Reconnecting?.Invoke(reconnecting);
                break;
            case ReconnectedEvent reconnected:
                Reconnected?.Invoke(reconnected);
                break;
            case DisconnectedEvent disconnected:
                Disconnected?.Invoke(disconnected);
                if (Closed is { } closed)
                {
                    // Runs on the event queue; its task is awaited there so handlers stay in order.
                    Hub.Events.Post(() => closed(disconnected.Reason));
                }
                break;
            case GaveUpEvent gaveUp:
                GaveUp?.Invoke(gaveUp);
                break;
        }
    }
}
