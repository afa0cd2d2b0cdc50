using MessagePack;

namespace Hubs.Contracts;

/// <summary>An online user and how many chat connections they have open.</summary>
[MessagePackObject]
public sealed record UserConnections(
    [property: Key("user")] UserInfo User,
    [property: Key("connections")] int Connections);

/// <summary>A room and how many users are in it.</summary>
[MessagePackObject]
public sealed record RoomOccupancy(
    [property: Key("room")] string Room,
    [property: Key("members")] int Members);

/// <summary>The users in a room, ordered by id.</summary>
[MessagePackObject]
public sealed record RoomMembers(
    [property: Key("room")] string Room,
    [property: Key("members")] IReadOnlyList<UserInfo> Members);

/// <summary>Body of <c>POST</c> <see cref="ApiRoutes.AdminUserDisconnect"/>; optional.</summary>
/// <param name="Reason">Shown to the user (up to 200 characters); <c>null</c> for a default.</param>
[MessagePackObject]
public sealed record DisconnectUserRequest([property: Key("reason")] string? Reason = null);

/// <summary>Answer to a disconnect: how many connections were closed.</summary>
[MessagePackObject]
public sealed record DisconnectUserResult(
    [property: Key("userId")] string UserId,
    [property: Key("connections")] int Connections);
