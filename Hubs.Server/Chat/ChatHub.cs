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
    IRoomMessenger roomMessages,
    IMessageIdGenerator messageIds,
    ChatInput input,
    ISendDeduplicator deduplicator,
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
        // Online before welcomed: once a client has its Welcome, others can already reach it (on any instance).
        var cameOnline = await presence.AddConnectionAsync(me, Context.ConnectionId, Aborted);
        await Clients.Caller.Welcome(new WelcomeMessage(Context.ConnectionId, me, Now));
        if (cameOnline)
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
        return await SendOnceAsync(request!.ClientMessageId, async () =>
        {
            var message = new ChatMessage(await messageIds.NextIdAsync(Aborted), null, Me, text, Now);
            await Clients.All.ReceiveMessage(message);
            ChatLog.MessageSent(logger, message.Id, MyId, "everyone");
            return message;
        });
    }

    public async Task<MessageAck> SendDirectMessage(SendDirectMessageRequest request)
    {
        var target = ChatInput.UserId(request?.UserId);
        var text = input.Text(request!.Text);
        return await SendOnceAsync(request.ClientMessageId, async () =>
        {
            if (!await presence.IsOnlineAsync(target, Aborted))
            {
                throw new HubException($"User '{target}' is not online.");
            }
            var message = new ChatMessage(await messageIds.NextIdAsync(Aborted), null, Me, text, Now);
            // The sender's other tabs see the conversation too; one id per user so nobody gets it twice.
            await Clients.Users(target == MyId ? [target] : [target, MyId]).ReceiveDirectMessage(message);
            ChatLog.MessageSent(logger, message.Id, MyId, target);
            return message;
        });
    }

    /// <summary>Delivers once per <paramref name="clientMessageId"/>: a repeat within the window gets the original ack.</summary>
    private async Task<MessageAck> SendOnceAsync(string? clientMessageId, Func<Task<ChatMessage>> deliver)
    {
        var id = input.ClientMessageId(clientMessageId);
        if (id is null)
        {
            return ToAck(await deliver());
        }
        var claim = await deduplicator.ClaimAsync(MyId, id, Aborted);
        switch (claim.Status)
        {
            case SendClaimStatus.AlreadySent:
                return claim.Ack!;
            case SendClaimStatus.InProgress:
                throw new HubException($"A send with clientMessageId '{id}' is still in progress; retry shortly.");
        }
        MessageAck ack;
        try
        {
            ack = ToAck(await deliver());
        }
        catch
        {
            await deduplicator.ReleaseAsync(MyId, id, CancellationToken.None);
            throw;
        }
        await deduplicator.CompleteAsync(MyId, id, ack, CancellationToken.None);
        return ack;
    }

    private static MessageAck ToAck(ChatMessage message) => new(message.Id, message.Timestamp);
}
