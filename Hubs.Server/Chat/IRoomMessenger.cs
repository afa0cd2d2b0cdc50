using Hubs.Contracts;

namespace Hubs.Server.Chat;

/// <summary>Keeps a room message and delivers it to every connection in the room, on every instance.</summary>
/// <remarks>
/// One operation so a shared store can make "kept" and "announced" a single atomic step: when it fails,
/// the message was neither stored nor delivered, and the sender may safely send it again.
/// </remarks>
public interface IRoomMessenger
{
    /// <summary>
    /// Whether <see cref="PostAsync"/> records the send's ack (in <see cref="ISendDeduplicator"/>'s store) together
    /// with the message whenever it is given a client message id.
    /// </summary>
    bool RecordsAcks => false;

    /// <remarks><paramref name="clientMessageId"/> is the send's id, if any; a store that can records the ack in the same step.</remarks>
    Task<ChatMessage> PostAsync(string room, UserInfo sender, string text, DateTime timestamp, string? clientMessageId, CancellationToken cancellationToken);
}
