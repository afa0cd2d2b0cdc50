using MessagePack;

namespace Hubs.Contracts;

/// <summary>Sent to a connection right after it connects.</summary>
[MessagePackObject]
public sealed record WelcomeMessage(
    [property: Key("connectionId")] string ConnectionId,
    [property: Key("user")] UserInfo User,
    [property: Key("serverTime")] DateTime ServerTime);

/// <summary>A user came online (first connection) or went offline (last connection closed).</summary>
[MessagePackObject]
public sealed record UserEvent(
    [property: Key("user")] UserInfo User,
    [property: Key("timestamp")] DateTime Timestamp);

/// <summary>A user joined or left a room.</summary>
[MessagePackObject]
public sealed record RoomEvent(
    [property: Key("room")] string Room,
    [property: Key("user")] UserInfo User,
    [property: Key("timestamp")] DateTime Timestamp);

/// <summary>Answer to <see cref="IChatHub.JoinRoom"/>.</summary>
/// <param name="Room">The room joined.</param>
/// <param name="Members">Users in the room, the caller included.</param>
/// <param name="History">Recent messages, or those after <see cref="JoinRoomRequest.SinceId"/>, oldest first.</param>
/// <param name="HistoryTruncated"><c>true</c> when messages after <c>SinceId</c> have already left the room's history window.</param>
[MessagePackObject]
public sealed record JoinRoomResult(
    [property: Key("room")] string Room,
    [property: Key("members")] IReadOnlyList<UserInfo> Members,
    [property: Key("history")] IReadOnlyList<ChatMessage> History,
    [property: Key("historyTruncated")] bool HistoryTruncated = false);
