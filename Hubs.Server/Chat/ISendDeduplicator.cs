using Hubs.Contracts;

namespace Hubs.Server.Chat;

/// <summary>
/// Remembers, per user and for a window, which client message ids were already delivered, so a client
/// that re-sends after losing an ack gets the original ack instead of a second delivery.
/// </summary>
/// <remarks>Lives beside presence: with a shared store it works across instances.</remarks>
public interface ISendDeduplicator
{
    /// <summary>Claims the id for a new send, or tells that it was already sent (with its ack) or is being sent.</summary>
    Task<SendClaim> ClaimAsync(string userId, string clientMessageId, CancellationToken cancellationToken);

    /// <summary>Records the ack of a claimed send for the rest of the window.</summary>
    Task CompleteAsync(string userId, string clientMessageId, MessageAck ack, CancellationToken cancellationToken);

    /// <summary>
    /// Completes a claimed send whose ack the store already recorded in the same step as the message
    /// (<see cref="IRoomMessenger.RecordsAcks"/>); a store that shares those records need not write it again.
    /// </summary>
    Task CompleteRecordedAsync(string userId, string clientMessageId, MessageAck ack, CancellationToken cancellationToken) =>
        CompleteAsync(userId, clientMessageId, ack, cancellationToken);

    /// <summary>Gives up a claim whose send failed, so a retry can deliver it.</summary>
    Task ReleaseAsync(string userId, string clientMessageId, CancellationToken cancellationToken);
}

public enum SendClaimStatus
{
    /// <summary>First time this id is seen: deliver, then complete or release.</summary>
    Claimed,

    /// <summary>Delivered before; answer with <see cref="SendClaim.Ack"/>.</summary>
    AlreadySent,

    /// <summary>Another call with this id is delivering right now.</summary>
    InProgress,
}

public sealed record SendClaim(SendClaimStatus Status, MessageAck? Ack = null);
