namespace Hubs.Client;

public sealed partial class ChatClient
{
    /// <summary>A room was re-joined after a reconnect and its missed messages delivered.</summary>
    public event Action<RoomRejoinedEvent>? RoomRejoined;

    /// <summary>A room could not be re-joined after a reconnect (the server refused); the client is no longer in it.</summary>
    public event Action<RoomRejoinFailedEvent>? RoomRejoinFailed;
}
