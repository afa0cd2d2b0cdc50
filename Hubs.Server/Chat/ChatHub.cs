using Hubs.Contracts;
using Hubs.Server.Auth;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;
using Hubs.Server.State;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Chat;

/// <summary>The <see cref="HubRoutes.Chat"/> hub: global chat, rooms and direct messages.</summary>
[Authorize]
public sealed partial class ChatHub(
    IPresenceStore presence,
    IRoomMembershipStore rooms,
    IRoomHistoryStore history,
    IMessageIdGenerator messageIds,
    ChatInput input,
    IOptions<RoomOptions> roomOptions,
    TimeProvider time,
    ILogger<ChatHub> logger) : Hub<IChatClient>, IChatHub
{
    private UserInfo Me => Context.User!.ToUserInfo();

    private string MyId => Context.UserIdentifier!;

    private CancellationToken Aborted => Context.ConnectionAborted;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public override async Task OnConnectedAsync()
    {
        var me = Me;
        ChatLog.ConnectionOpened(logger, Context.ConnectionId, me.Id);
        await Clients.Caller.Welcome(new WelcomeMessage(Context.ConnectionId, me, Now));
        if (await presence.AddConnectionAsync(me, Context.ConnectionId, Aborted))
        {
            ChatLog.UserCameOnline(logger, me.Id, Context.ConnectionId);
            await Clients.Others.UserConnected(new UserEvent(me, Now));
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        // The connection is already aborted; clean-up must not be cancelled with it.
        var me = Me;
        ChatLog.ConnectionClosed(logger, Context.ConnectionId, me.Id, exception);
        foreach (var room in await rooms.RemoveConnectionAsync(me.Id, Context.ConnectionId, CancellationToken.None))
        {
            ChatLog.LeftRoom(logger, me.Id, room);
            await Clients.Group(room).UserLeft(new RoomEvent(room, me, Now));
        }
        if (await presence.RemoveConnectionAsync(me.Id, Context.ConnectionId, CancellationToken.None))
        {
            ChatLog.UserWentOffline(logger, me.Id, Context.ConnectionId);
            await Clients.Others.UserDisconnected(new UserEvent(me, Now));
        }
    }

    public async Task<MessageAck> SendMessage(SendMessageRequest request)
    {
        var text = input.Text(request?.Text);
        var message = new ChatMessage(await messageIds.NextIdAsync(Aborted), null, Me, text, Now);
        await Clients.All.ReceiveMessage(message);
        ChatLog.MessageSent(logger, message.Id, MyId, "everyone");
        return new MessageAck(message.Id, message.Timestamp);
    }

    public async Task<MessageAck> SendDirectMessage(SendDirectMessageRequest request)
    {
        var target = ChatInput.UserId(request?.UserId);
        var text = input.Text(request!.Text);
        if (!await presence.IsOnlineAsync(target, Aborted))
        {
            throw new HubException($"User '{target}' is not online.");
        }
        var message = new ChatMessage(await messageIds.NextIdAsync(Aborted), null, Me, text, Now);
        // The sender's other tabs see the conversation too; one id per user so nobody gets it twice.
        await Clients.Users(target == MyId ? [target] : [target, MyId]).ReceiveDirectMessage(message);
        ChatLog.MessageSent(logger, message.Id, MyId, target);
        return new MessageAck(message.Id, message.Timestamp);
    }
}
