using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Admin;

/// <summary>Takes a user out of a room on behalf of an administrator.</summary>
/// <remarks>Store, groups and events all go through shared parts, so it works for connections on any instance.</remarks>
public sealed class RoomModerator(
    IRoomMembershipStore rooms,
    IHubContext<ChatHub, IChatClient> chat,
    UserChangeGate userChanges,
    TimeProvider time,
    ILogger<RoomModerator> logger)
{
    /// <summary><c>false</c> when the user was not in the room.</summary>
    public async Task<bool> RemoveAsync(string room, string userId, CancellationToken cancellationToken)
    {
        // In the user's turn, so a join of theirs on this instance cannot put a connection back in the store between the
        // removal and the group removal below (a member who no longer gets the room's messages), nor announce itself out
        // of order. A join on another instance is not ordered with it (the gate is per instance): an administrator who
        // still sees the user listed removes them again.
        using (await userChanges.EnterAsync(userId, cancellationToken))
        {
            var removal = await rooms.RemoveUserAsync(room, userId, cancellationToken);
            if (removal is null)
            {
                return false;
            }
            // Once the store has forgotten them the group must follow, whatever happens to the request.
            foreach (var connectionId in removal.ConnectionIds)
            {
                await chat.Groups.RemoveFromGroupAsync(connectionId, room, CancellationToken.None);
            }
            var left = new RoomEvent(room, removal.User, time.GetUtcNow().UtcDateTime);
            await chat.Clients.Group(room).UserLeft(left);
            // The removed connections are out of the group now; they learn it from the same event about themselves.
            await chat.Clients.Clients(removal.ConnectionIds).UserLeft(left);
            AdminLog.RemovedFromRoom(logger, userId, room, removal.ConnectionIds.Count);
        }
        return true;
    }
}
