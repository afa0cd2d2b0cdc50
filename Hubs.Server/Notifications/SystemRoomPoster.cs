using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Stats;

namespace Hubs.Server.Notifications;

/// <summary>Posts into a chat room as <see cref="SystemSender"/>, the same way a member's message goes.</summary>
/// <remarks>
/// Through the same <see cref="IRoomMessenger"/> as members' messages, so it gets a room id, is in history and
/// recovery, and reaches members on every instance in order with the rest.
/// </remarks>
public sealed class SystemRoomPoster(
    IRoomMessenger messenger,
    HubMetrics metrics,
    TimeProvider time,
    ILogger<SystemRoomPoster> logger)
{
    public async Task<ChatMessage> PostAsync(string room, string text, CancellationToken cancellationToken)
    {
        var message = await messenger.PostAsync(room, SystemSender.User, text, time.GetUtcNow().UtcDateTime, null, cancellationToken);
        metrics.MessageAccepted("system");
        NotificationLog.PostedToRoom(logger, message.Id, room);
        return message;
    }
}
