namespace Hubs.Contracts;

/// <summary>Client methods of <see cref="HubRoutes.Chat"/> (server → client).</summary>
public interface IChatClient
{
    /// <summary>To the caller right after connecting.</summary>
    Task Welcome(WelcomeMessage message);

    /// <summary>To everyone else when a user's first connection opens.</summary>
    Task UserConnected(UserEvent userEvent);

    /// <summary>To everyone else when a user's last connection closes.</summary>
    Task UserDisconnected(UserEvent userEvent);

    /// <summary>A global message.</summary>
    Task ReceiveMessage(ChatMessage message);

    /// <summary>A message in a room this connection has joined.</summary>
    Task ReceiveRoomMessage(ChatMessage message);

    /// <summary>A direct message to or from this user.</summary>
    Task ReceiveDirectMessage(ChatMessage message);

    /// <summary>A user joined a room this connection is in.</summary>
    Task UserJoined(RoomEvent roomEvent);

    /// <summary>A user left a room this connection is in.</summary>
    Task UserLeft(RoomEvent roomEvent);

    /// <summary>The server is about to close this connection on purpose (e.g. an administrator disconnected the user), and says why.</summary>
    /// <remarks>Has a no-op default so handlers written before it existed keep compiling.</remarks>
    Task Disconnecting(DisconnectNotice notice) => Task.CompletedTask;
}
