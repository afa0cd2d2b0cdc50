using Hubs.Contracts;

namespace Hubs.Server.Chat;

/// <summary>Gives global and direct messages their id and delivers them to their receivers, on every instance.</summary>
/// <remarks>
/// Unlike room messages these are not stored, so an instance cut off from the others may still deliver them to its
/// own connections; the result says so (<see cref="SentMessage.LocalOnly"/>) and the ack passes it on.
/// </remarks>
public interface IChatMessenger
{
    /// <summary>To every connection.</summary>
    Task<SentMessage> SendToEveryoneAsync(UserInfo sender, string text, DateTime timestamp, CancellationToken cancellationToken);

    /// <summary>To every connection of <paramref name="recipientId"/> and of the sender (their other tabs see the conversation too).</summary>
    Task<SentMessage> SendDirectAsync(UserInfo sender, string recipientId, string text, DateTime timestamp, CancellationToken cancellationToken);
}

/// <param name="Message">What was delivered.</param>
/// <param name="LocalOnly">Only this instance's connections got it (shared state unreachable).</param>
public readonly record struct SentMessage(ChatMessage Message, bool LocalOnly = false)
{
    /// <summary>The users a direct message goes to: one entry per user, so nobody gets it twice.</summary>
    public static IReadOnlyList<string> DirectRecipients(string senderId, string recipientId) =>
        senderId == recipientId ? [recipientId] : [recipientId, senderId];
}
