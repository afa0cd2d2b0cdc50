using Hubs.Contracts;
using Hubs.Server.Auth;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;
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
    IChatMessenger messages,
    ChatInput input,
    ISendDeduplicator deduplicator,
    UserChangeGate userChanges,
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
        using (await userChanges.EnterAsync(me.Id, CancellationToken.None))
        {
            if (await presence.AddConnectionAsync(me, Context.ConnectionId, Aborted))
            {
                ChatLog.UserCameOnline(logger, me.Id, Context.ConnectionId);
                await Clients.Others.UserConnected(new UserEvent(me, Now));
            }
        }
        // Welcome comes last, so a client that has it knows the server counts it as online.
        await Clients.Caller.Welcome(new WelcomeMessage(Context.ConnectionId, me, Now));
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        // The connection is already aborted; clean-up must not be cancelled with it.
        var me = Me;
        ChatLog.ConnectionClosed(logger, Context.ConnectionId, me.Id, exception);
        // SignalR aborts the connection before it calls this, so a call of this connection that is still running
        // either finishes its change before this turn or sees the abort in its own turn and changes nothing.
        using (await userChanges.EnterAsync(me.Id, CancellationToken.None))
        {
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
    }

    public async Task<MessageAck> SendMessage(SendMessageRequest request)
    {
        var text = input.Text(request?.Text);
        return await SendOnceAsync(request!.ClientMessageId, async () =>
        {
            var sent = await messages.SendToEveryoneAsync(Me, text, Now, Aborted);
            ChatLog.MessageSent(logger, sent.Message.Id, MyId, "everyone");
            return sent;
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
            var sent = await messages.SendDirectAsync(Me, target, text, Now, Aborted);
            ChatLog.MessageSent(logger, sent.Message.Id, MyId, target);
            return sent;
        });
    }

    /// <summary>Delivers once per <paramref name="clientMessageId"/>: a repeat within the window gets the original ack.</summary>
    /// <remarks>
    /// When <c>ackRecordedByDelivery</c>, a successful <c>deliver</c> has already recorded the ack with the message
    /// (room sends over Redis), so completing it costs no second write.
    /// </remarks>
    private async Task<MessageAck> SendOnceAsync(string? clientMessageId, Func<Task<SentMessage>> deliver, bool ackRecordedByDelivery = false)
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
        if (ackRecordedByDelivery)
        {
            await deduplicator.CompleteRecordedAsync(MyId, id, ack, CancellationToken.None);
        }
        else
        {
            await deduplicator.CompleteAsync(MyId, id, ack, CancellationToken.None);
        }
        return ack;
    }

    private static MessageAck ToAck(SentMessage sent) => new(sent.Message.Id, sent.Message.Timestamp, sent.LocalOnly);
}
