using MessagePack;

namespace Hubs.Contracts;

// Every hub method takes one request record so fields can be added without breaking clients.
// Optional fields have defaults so clients may omit them.

/// <summary>Send to everyone connected.</summary>
/// <param name="Text">1..MaxMessageLength characters after trimming.</param>
/// <param name="ClientMessageId">Optional client-chosen id; a repeat within the dedup window gets the original ack.</param>
[MessagePackObject]
public sealed record SendMessageRequest(
    [property: Key("text")] string Text,
    [property: Key("clientMessageId")] string? ClientMessageId = null);

/// <summary>Join a room.</summary>
/// <param name="Room">Room name, <c>^[A-Za-z0-9_.-]{1,64}$</c>.</param>
/// <param name="SinceId">Id of the last message seen; history then holds everything after it.</param>
[MessagePackObject]
public sealed record JoinRoomRequest(
    [property: Key("room")] string Room,
    [property: Key("sinceId")] long? SinceId = null);

/// <summary>Leave a room.</summary>
[MessagePackObject]
public sealed record LeaveRoomRequest([property: Key("room")] string Room);

/// <summary>Send to the members of a room the caller has joined.</summary>
[MessagePackObject]
public sealed record SendRoomMessageRequest(
    [property: Key("room")] string Room,
    [property: Key("text")] string Text,
    [property: Key("clientMessageId")] string? ClientMessageId = null);

/// <summary>Send to every connection of an online user (and the sender's own connections).</summary>
[MessagePackObject]
public sealed record SendDirectMessageRequest(
    [property: Key("userId")] string UserId,
    [property: Key("text")] string Text,
    [property: Key("clientMessageId")] string? ClientMessageId = null);

/// <summary>Ask who is in a room.</summary>
[MessagePackObject]
public sealed record GetRoomMembersRequest([property: Key("room")] string Room);

/// <summary>Page through a room's history.</summary>
/// <param name="Room">Room name.</param>
/// <param name="BeforeId">Only messages older than this id; <c>null</c> for the newest.</param>
/// <param name="Limit">Page size; <c>null</c> for the server's default.</param>
[MessagePackObject]
public sealed record GetRoomHistoryRequest(
    [property: Key("room")] string Room,
    [property: Key("beforeId")] long? BeforeId = null,
    [property: Key("limit")] int? Limit = null);
