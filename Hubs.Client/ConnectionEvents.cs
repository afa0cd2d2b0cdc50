namespace Hubs.Client;

/// <summary>
/// A change of connection state, in the order they happen. A lost connection reads:
/// <see cref="DisconnectedEvent"/>, then one <see cref="ReconnectingEvent"/> per attempt, then
/// <see cref="ReconnectedEvent"/> or <see cref="GaveUpEvent"/>.
/// </summary>
/// <remarks>The same moments a Socket.IO user handles as disconnect, reconnect_attempt, reconnect and reconnect_failed.</remarks>
public abstract record ConnectionEvent;

/// <summary>The first connect began (<c>StartAsync</c>).</summary>
public sealed record ConnectingEvent : ConnectionEvent;

/// <summary>The first connect succeeded and, for the chat hub, the server accepted it (its <c>Welcome</c> came).</summary>
/// <param name="ConnectionId">The server's id for the connection.</param>
public sealed record ConnectedEvent(string ConnectionId) : ConnectionEvent;

/// <summary>A retry is scheduled: attempt <paramref name="Attempt"/> starts after <paramref name="Delay"/>.</summary>
/// <param name="Attempt">1 for the first retry.</param>
/// <param name="Delay">How long the client waits before trying.</param>
/// <param name="Error">Why the connection or the previous attempt failed.</param>
public sealed record ReconnectingEvent(int Attempt, TimeSpan Delay, Exception? Error) : ConnectionEvent;

/// <summary>The connection is back (for the chat hub: accepted, its <c>Welcome</c> came), under a new connection id; rooms are re-joined right after.</summary>
/// <param name="ConnectionId">The server's id for the new connection.</param>
public sealed record ReconnectedEvent(string ConnectionId) : ConnectionEvent;

/// <summary>The connection was lost (<paramref name="Reason"/> set) or stopped by the user (<c>null</c>).</summary>
public sealed record DisconnectedEvent(Exception? Reason) : ConnectionEvent;

/// <summary>
/// The retry policy is exhausted, or the failure cannot be fixed by retrying (a 401/403, a connection the server
/// closed on purpose after its <c>Disconnecting</c> notice, a refused first connect, one not accepted in time); the
/// client stays disconnected.
/// </summary>
/// <param name="Attempts">Retries made.</param>
/// <param name="LastError">The failure of the last attempt.</param>
public sealed record GaveUpEvent(int Attempts, Exception? LastError) : ConnectionEvent;
