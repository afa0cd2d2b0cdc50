using Hubs.Contracts;

namespace Hubs.Server.Rooms;

/// <summary>Which connections are in which room; members are the users behind those connections.</summary>
/// <remarks>Membership is per connection (like SignalR groups), presence in a room is per user.</remarks>
public interface IRoomMembershipStore
{
    /// <summary>Adds a connection to a room.</summary>
    Task<MembershipChange> JoinAsync(string room, UserInfo user, string connectionId, CancellationToken cancellationToken);

    /// <summary>Removes a connection from a room.</summary>
    Task<MembershipChange> LeaveAsync(string room, string userId, string connectionId, CancellationToken cancellationToken);

    Task<bool> IsMemberAsync(string room, string connectionId, CancellationToken cancellationToken);

    /// <summary>Users with at least one connection in the room, ordered by id.</summary>
    Task<IReadOnlyList<UserInfo>> GetMembersAsync(string room, CancellationToken cancellationToken);

    /// <summary>Removes a closed connection from all its rooms; returns the rooms its user is no longer in.</summary>
    Task<IReadOnlyList<string>> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken);

    /// <summary>Rooms with at least one member, ordered by name.</summary>
    Task<IReadOnlyList<RoomSummary>> GetRoomsAsync(CancellationToken cancellationToken);

    /// <summary>Removes every connection of a user from a room (on all instances); <c>null</c> when the user was not in it.</summary>
    /// <remarks>The caller takes the returned connections out of the SignalR group and tells the room.</remarks>
    Task<RoomRemoval?> RemoveUserAsync(string room, string userId, CancellationToken cancellationToken);
}

/// <param name="ConnectionChanged">The connection was added or removed (not already in / not in the room).</param>
/// <param name="UserChanged">The user entered or left the room as a whole (first / last of their connections).</param>
public readonly record struct MembershipChange(bool ConnectionChanged, bool UserChanged);

/// <summary>A user taken out of a room, with the connections that were in it.</summary>
public sealed record RoomRemoval(UserInfo User, IReadOnlyList<string> ConnectionIds);

/// <summary>A room and how many users are in it.</summary>
public sealed record RoomSummary(string Room, int Members);
