using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Scaleout;

/// <summary>
/// The shared Redis membership, except that "is this connection in the room" is answered without a Redis round
/// trip when this instance's own SignalR groups say yes. Every room send asks it for the sender's (local)
/// connection, and joins, leaves and kicks (routed to the owning instance) keep those groups in step with Redis.
/// A "no" still asks Redis, so a room joined through another path is never refused.
/// </summary>
/// <remarks>A kick removes the membership before the group, so in that instant one more send can pass.</remarks>
internal sealed class LocalFirstMembershipStore(RedisRoomMembershipStore shared, HubLifetimeManager<ChatHub> lifetimeManager) : IRoomMembershipStore
{
    private readonly ClusterHubLifetimeManager<ChatHub> _local = (ClusterHubLifetimeManager<ChatHub>)lifetimeManager;

    public Task<bool> IsMemberAsync(string room, string connectionId, CancellationToken cancellationToken) =>
        _local.IsInLocalGroup(connectionId, room) ? Task.FromResult(true) : shared.IsMemberAsync(room, connectionId, cancellationToken);

    public Task<MembershipChange> JoinAsync(string room, UserInfo user, string connectionId, CancellationToken cancellationToken) =>
        shared.JoinAsync(room, user, connectionId, cancellationToken);

    public Task<MembershipChange> LeaveAsync(string room, string userId, string connectionId, CancellationToken cancellationToken) =>
        shared.LeaveAsync(room, userId, connectionId, cancellationToken);

    public Task<IReadOnlyList<UserInfo>> GetMembersAsync(string room, CancellationToken cancellationToken) =>
        shared.GetMembersAsync(room, cancellationToken);

    public Task<IReadOnlyList<string>> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken) =>
        shared.RemoveConnectionAsync(userId, connectionId, cancellationToken);

    public Task<IReadOnlyList<RoomSummary>> GetRoomsAsync(CancellationToken cancellationToken) =>
        shared.GetRoomsAsync(cancellationToken);

    public Task<RoomRemoval?> RemoveUserAsync(string room, string userId, CancellationToken cancellationToken) =>
        shared.RemoveUserAsync(room, userId, cancellationToken);
}
