using Hubs.Contracts;

namespace Hubs.Server.Rooms;

/// <summary>The last N messages of each room, with ids that increase within a room.</summary>
public interface IRoomHistoryStore
{
    /// <summary>Gives the message the next id and keeps it, atomically, so ids in a room are stored in order.</summary>
    Task<ChatMessage> AppendAsync(string room, UserInfo sender, string text, DateTime timestamp, CancellationToken cancellationToken);

    /// <summary>Messages after <paramref name="sinceId"/>, oldest first, at most <paramref name="limit"/> (the newest ones).</summary>
    Task<HistorySlice> GetAfterAsync(string room, long sinceId, int limit, CancellationToken cancellationToken);

    /// <summary>The newest messages before <paramref name="beforeId"/> (or overall), oldest first.</summary>
    Task<IReadOnlyList<ChatMessage>> GetLatestAsync(string room, long? beforeId, int limit, CancellationToken cancellationToken);
}

/// <param name="Messages">Oldest first.</param>
/// <param name="Truncated">Some messages after the asked id are no longer kept, or did not fit the limit.</param>
public sealed record HistorySlice(IReadOnlyList<ChatMessage> Messages, bool Truncated);
