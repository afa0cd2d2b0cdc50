using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Rooms;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Room messages across instances: one Lua script stores the message, publishes it and records the send's ack,
/// so it is kept and announced or neither. Every instance, this one included, delivers it to its own members
/// from the subscription (<see cref="RoomMessageRelay"/>), which keeps each room in id order and can catch up.
/// </summary>
internal sealed class RedisRoomMessenger(RedisRoomHistoryStore history, RedisKeys keys, IOptions<ChatOptions> chatOptions) : IRoomMessenger
{
    /// <summary>The store script sets the send's key to the ack format of <see cref="RedisSendDeduplicator"/>.</summary>
    public bool RecordsAcks => true;

    public Task<ChatMessage> PostAsync(string room, UserInfo sender, string text, DateTime timestamp, string? clientMessageId, CancellationToken cancellationToken) =>
        history.AppendAsync(room, sender, text, timestamp,
            announce: (keys.RoomMessages, RoomBusMessage.Payload(room, sender, text, timestamp)),
            sent: clientMessageId is null ? null : (keys.Sent(sender.Id, clientMessageId), chatOptions.Value.DeduplicationWindow));
}
