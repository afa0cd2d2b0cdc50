using Hubs.Contracts;
using Hubs.Server.Chat;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Send de-duplication in Redis that keeps working for global and direct messages while Redis is unreachable:
/// claims and acks made meanwhile go to this instance's <see cref="OutageSendJournal"/>, which is asked first,
/// and <see cref="InstanceJanitor"/> copies the acks to Redis once it is back (<see cref="FlushAsync"/>), so a
/// resend through any instance then gets the original ack.
/// </summary>
/// <remarks>
/// What the journal cannot know: a send acknowledged through Redis just before the outage and resent during it is
/// delivered again (locally). Room sends never get this far during an outage: membership is checked in Redis first.
/// </remarks>
internal sealed class OutageTolerantSendDeduplicator(
    RedisSendDeduplicator inner,
    OutageSendJournal journal,
    ILogger<OutageTolerantSendDeduplicator> logger) : ISendDeduplicator
{
    public async Task<SendClaim> ClaimAsync(string userId, string clientMessageId, CancellationToken cancellationToken)
    {
        if (journal.Find(userId, clientMessageId) is { } known)
        {
            return known;
        }
        try
        {
            return await inner.ClaimAsync(userId, clientMessageId, cancellationToken);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e))
        {
            return journal.Claim(userId, clientMessageId);
        }
    }

    public async Task CompleteAsync(string userId, string clientMessageId, MessageAck ack, CancellationToken cancellationToken)
    {
        if (!journal.HoldsClaim(userId, clientMessageId))
        {
            try
            {
                await inner.CompleteAsync(userId, clientMessageId, ack, cancellationToken);
                return;
            }
            catch (Exception e) when (RedisFailures.IsUnavailable(e))
            {
                // Delivered, but Redis went away before the ack was kept: keep it here (Redis still holds the claim,
                // which answers "in progress" elsewhere until the flush or Redis:SendClaimExpiry).
            }
        }
        journal.Complete(userId, clientMessageId, ack);
    }

    public Task CompleteRecordedAsync(string userId, string clientMessageId, MessageAck ack, CancellationToken cancellationToken)
    {
        // Claimed here during an outage but stored after Redis came back: Redis has the ack, the journal must
        // learn it too (it answers first); the flush then finds the ack already kept and leaves it.
        if (journal.HoldsClaim(userId, clientMessageId))
        {
            journal.Complete(userId, clientMessageId, ack);
            return Task.CompletedTask;
        }
        return inner.CompleteRecordedAsync(userId, clientMessageId, ack, cancellationToken);
    }

    public async Task ReleaseAsync(string userId, string clientMessageId, CancellationToken cancellationToken)
    {
        if (journal.HoldsClaim(userId, clientMessageId))
        {
            journal.Release(userId, clientMessageId);
            return;
        }
        try
        {
            await inner.ReleaseAsync(userId, clientMessageId, cancellationToken);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e))
        {
            // The claim runs out by itself after Redis:SendClaimExpiry; the send's own failure is what the caller sees.
            ScaleoutLog.ReleaseDeferred(logger, e);
        }
    }

    /// <summary>Copies acks given while Redis was unreachable into Redis; returns how many.</summary>
    public async Task<int> FlushAsync()
    {
        var copied = 0;
        foreach (var (userId, clientMessageId, ack, remaining) in journal.Completed())
        {
            await inner.RecordAsync(userId, clientMessageId, ack, remaining);
            journal.Forget(userId, clientMessageId, ack);
            copied++;
        }
        return copied;
    }
}
