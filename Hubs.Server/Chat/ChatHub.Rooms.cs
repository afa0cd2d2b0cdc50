using Hubs.Contracts;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Chat;

public sealed partial class ChatHub
{
    public async Task<JoinRoomResult> JoinRoom(JoinRoomRequest request)
    {
        var room = input.Room(request?.Room);
        var me = Me;
        using (await userChanges.EnterAsync(me.Id, Aborted))
        {
            // SignalR runs a call apart from the connection's reads, so it may still run after the connection
            // closed and its clean-up removed it from its rooms; joining then would leave a member nobody removes.
            Aborted.ThrowIfCancellationRequested();
            var change = await rooms.JoinAsync(room, me, Context.ConnectionId, Aborted);
            // Into the group before reading history: a message sent meanwhile may arrive both ways
            // (clients drop repeats by id) but never falls in a gap between the two.
            await Groups.AddToGroupAsync(Context.ConnectionId, room, Aborted);
            if (change.UserChanged)
            {
                ChatLog.JoinedRoom(logger, me.Id, room);
                await Clients.OthersInGroup(room).UserJoined(new RoomEvent(room, me, Now));
            }
        }

        var members = await rooms.GetMembersAsync(room, Aborted);
        var settings = RoomSettings;
        if (request!.SinceId is { } sinceId)
        {
            var missed = await history.GetAfterAsync(room, sinceId, settings.HistoryLength, Aborted);
            return new JoinRoomResult(room, members, missed.Messages, missed.Truncated);
        }
        var recent = await history.GetLatestAsync(room, null, settings.JoinHistoryLimit, Aborted);
        return new JoinRoomResult(room, members, recent);
    }

    public async Task<Ack> LeaveRoom(LeaveRoomRequest request)
    {
        var room = input.Room(request?.Room);
        var me = Me;
        using (await userChanges.EnterAsync(me.Id, Aborted))
        {
            var change = await rooms.LeaveAsync(room, me.Id, Context.ConnectionId, Aborted);
            if (!change.ConnectionChanged)
            {
                return new Ack(false);
            }
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, room, Aborted);
            if (change.UserChanged)
            {
                ChatLog.LeftRoom(logger, me.Id, room);
                await Clients.Group(room).UserLeft(new RoomEvent(room, me, Now));
            }
            return new Ack(true);
        }
    }

    public async Task<MessageAck> SendRoomMessage(SendRoomMessageRequest request)
    {
        var room = input.Room(request?.Room);
        var text = input.Text(request!.Text);
        // Asked before the de-duplication claim and awaited after it: over Redis both commands are in flight at once,
        // so a send waits for one round trip instead of two. Membership stays Redis's answer (it owns removals).
        var membership = rooms.IsMemberAsync(room, Context.ConnectionId, Aborted);
        try
        {
            return await SendOnceAsync(request.ClientMessageId, async () =>
            {
                await EnsureMemberAsync(room, membership);
                var message = await roomMessages.PostAsync(room, Me, text, Now, request.ClientMessageId, Aborted);
                ChatLog.MessageSent(logger, message.Id, MyId, room);
                return new SentMessage(message);
            }, ackRecordedByDelivery: roomMessages.RecordsAcks);
        }
        finally
        {
            // A repeat answered from the de-duplication record never looked at the membership: observe it anyway.
            await ((Task)membership).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public async Task<UserInfo[]> GetRoomMembers(GetRoomMembersRequest request)
    {
        var room = input.Room(request?.Room);
        return [.. await rooms.GetMembersAsync(room, Aborted)];
    }

    public async Task<ChatMessage[]> GetRoomHistory(GetRoomHistoryRequest request)
    {
        var room = input.Room(request?.Room);
        var settings = RoomSettings;
        var limit = request!.Limit ?? settings.DefaultPageSize;
        if (limit < 1 || limit > settings.MaxPageSize)
        {
            throw new HubException($"limit must be between 1 and {settings.MaxPageSize}.");
        }
        await EnsureMemberAsync(room);
        return [.. await history.GetLatestAsync(room, request.BeforeId, limit, Aborted)];
    }

    private RoomOptions RoomSettings => roomOptions.Value;

    private Task EnsureMemberAsync(string room) => EnsureMemberAsync(room, rooms.IsMemberAsync(room, Context.ConnectionId, Aborted));

    private static async Task EnsureMemberAsync(string room, Task<bool> membership)
    {
        if (!await membership)
        {
            throw new HubException($"You are not a member of room '{room}'. Join it first.");
        }
    }
}
