using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Room membership in Redis that never tells a member "you are not in this room" only because Redis forgot this
/// instance's state (restarted empty, flushed, or this instance swept as dead) and it has not been written back yet.
/// </summary>
/// <remarks>
/// <para>
/// Redis stays the source of truth: a "yes" is trusted as is, and a "no" too when this instance has no such member
/// either. Only a "no" for a connection that is in the room's SignalR group here is looked at again. If this
/// instance's state is being re-asserted, or Redis no longer knows the connection at all (a removal by an
/// administrator takes a connection out of rooms but never out of presence, so an unknown connection means lost
/// data), the call is answered "temporarily unavailable" and a re-assertion starts at once (<see cref="InstanceJanitor"/>).
/// </para>
/// <para>
/// Why refuse rather than quietly put the membership back and go on: the refusal is the answer clients already get
/// during an outage and nothing was sent. Neither typed client resends it by itself: the application resends, as for
/// any "temporarily unavailable" answer, and a resend with the same clientMessageId is delivered once. Putting it back here would make the local group the source of truth for a moment, and would race the
/// re-assertion (which also announces UserJoined) and an administrator's removal that Redis has made but whose
/// fire-and-forget group removal has not reached this instance yet. When Redis still knows the connection and no
/// re-assertion is pending, the "no" is taken as such a removal, and it stands. Rooms Redis forgot for a connection
/// it still knows (a restart from an older snapshot) are written back by the re-assertion that the reconnect starts
/// (<see cref="InstanceJanitor"/>), which compares each connection's rooms, not only its presence. An eviction while
/// connected starts none: run Redis with <c>maxmemory-policy noeviction</c>.
/// </para>
/// </remarks>
internal sealed class OutageTolerantRoomMembershipStore(
    RedisRoomMembershipStore inner,
    RedisPresenceStore presence,
    HubLifetimeManager<ChatHub> lifetimeManager,
    StateReassertion reassertion,
    ILogger<OutageTolerantRoomMembershipStore> logger) : IRoomMembershipStore
{
    private readonly ClusterHubLifetimeManager<ChatHub> _local = (ClusterHubLifetimeManager<ChatHub>)lifetimeManager;

    public Task<MembershipChange> JoinAsync(string room, UserInfo user, string connectionId, CancellationToken cancellationToken) =>
        inner.JoinAsync(room, user, connectionId, cancellationToken);

    /// <remarks>
    /// A leave that Redis did not know about would otherwise answer "you were not in it" and leave the connection in
    /// the group, and the re-assertion would then put it back in the room.
    /// </remarks>
    public async Task<MembershipChange> LeaveAsync(string room, string userId, string connectionId, CancellationToken cancellationToken)
    {
        var change = await inner.LeaveAsync(room, userId, connectionId, cancellationToken);
        if (!change.ConnectionChanged && InLocalGroup(room, connectionId))
        {
            await ThrowIfForgottenAsync(room, connectionId, cancellationToken);
            // Redis knows the connection; its state may have been written back since the first answer.
            change = await inner.LeaveAsync(room, userId, connectionId, cancellationToken);
        }
        return change;
    }

    public async Task<bool> IsMemberAsync(string room, string connectionId, CancellationToken cancellationToken)
    {
        if (await inner.IsMemberAsync(room, connectionId, cancellationToken))
        {
            return true;
        }
        if (!InLocalGroup(room, connectionId))
        {
            return false;
        }
        await ThrowIfForgottenAsync(room, connectionId, cancellationToken);
        // Redis knows the connection; its state may have been written back since the first answer.
        return await inner.IsMemberAsync(room, connectionId, cancellationToken);
    }

    public Task<IReadOnlyList<UserInfo>> GetMembersAsync(string room, CancellationToken cancellationToken) =>
        inner.GetMembersAsync(room, cancellationToken);

    public Task<IReadOnlyList<string>> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken) =>
        inner.RemoveConnectionAsync(userId, connectionId, cancellationToken);

    public Task<IReadOnlyList<RoomSummary>> GetRoomsAsync(CancellationToken cancellationToken) =>
        inner.GetRoomsAsync(cancellationToken);

    public Task<RoomRemoval?> RemoveUserAsync(string room, string userId, CancellationToken cancellationToken) =>
        inner.RemoveUserAsync(room, userId, cancellationToken);

    private bool InLocalGroup(string room, string connectionId) => _local.GroupsOf(connectionId).Contains(room, StringComparer.Ordinal);

    private async Task ThrowIfForgottenAsync(string room, string connectionId, CancellationToken cancellationToken)
    {
        if (!reassertion.Pending && await presence.IsRegisteredHereAsync(connectionId, cancellationToken))
        {
            return;
        }
        ScaleoutLog.MembershipForgotten(logger, connectionId, room);
        reassertion.Require("Redis no longer knew a connection of this instance", now: true);
        throw new HubException(RedisUnavailableFilter.Message);
    }
}
