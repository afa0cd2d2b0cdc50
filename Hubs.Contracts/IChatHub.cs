namespace Hubs.Contracts;

/// <summary>Server methods of <see cref="HubRoutes.Chat"/> (client → server).</summary>
/// <remarks>Invalid input fails the call with a HubException carrying a human-readable message; the connection stays usable.</remarks>
public interface IChatHub
{
    /// <summary>Send to everyone connected; all connections get <see cref="IChatClient.ReceiveMessage"/>.</summary>
    Task<MessageAck> SendMessage(SendMessageRequest request);

    /// <summary>Join a room; others in it get <see cref="IChatClient.UserJoined"/>.</summary>
    Task<JoinRoomResult> JoinRoom(JoinRoomRequest request);

    /// <summary>Leave a room; others in it get <see cref="IChatClient.UserLeft"/>.</summary>
    Task<Ack> LeaveRoom(LeaveRoomRequest request);

    /// <summary>Send to a room this connection has joined; members get <see cref="IChatClient.ReceiveRoomMessage"/>.</summary>
    Task<MessageAck> SendRoomMessage(SendRoomMessageRequest request);

    /// <summary>Send to an online user; their connections and the sender's get <see cref="IChatClient.ReceiveDirectMessage"/>.</summary>
    Task<MessageAck> SendDirectMessage(SendDirectMessageRequest request);

    /// <summary>Users in a room.</summary>
    /// <remarks>Arrays, not interfaces: MessagePack serializes a hub result by its runtime type.</remarks>
    Task<UserInfo[]> GetRoomMembers(GetRoomMembersRequest request);

    /// <summary>A page of a room's history, oldest first.</summary>
    Task<ChatMessage[]> GetRoomHistory(GetRoomHistoryRequest request);
}
