using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Rooms;
using Hubs.Server.Stats;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Notifications;

/// <summary>Posts into a chat room as <see cref="SystemSender"/>, the same way a member's message goes.</summary>
/// <remarks>Through the room history store, so the message gets a room id and is in history and recovery like any other.</remarks>
public sealed class SystemRoomPoster(
    IRoomHistoryStore history,
    IHubContext<ChatHub, IChatClient> chat,
    HubMetrics metrics,
    TimeProvider time,
    ILogger<SystemRoomPoster> logger)
{
    public async Task<ChatMessage> PostAsync(string room, string text, CancellationToken cancellationToken)
    {
        var message = await history.AppendAsync(room, SystemSender.User, text, time.GetUtcNow().UtcDateTime, cancellationToken);
        await chat.Clients.Group(room).ReceiveRoomMessage(message);
        metrics.MessageAccepted("system");
        NotificationLog.PostedToRoom(logger, message.Id, room);
        return message;
    }
}
