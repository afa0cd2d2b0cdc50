using Hubs.Contracts;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Chat;

/// <summary>Send de-duplication for a single instance.</summary>
internal sealed class InMemorySendDeduplicator(IOptions<ChatOptions> options, TimeProvider time) : ISendDeduplicator
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string User, string Id), (MessageAck? Ack, DateTimeOffset Expires)> _sends = [];
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    public Task<SendClaim> ClaimAsync(string userId, string clientMessageId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            SweepLocked(now);
            if (_sends.TryGetValue((userId, clientMessageId), out var entry) && entry.Expires > now)
            {
                return Task.FromResult(entry.Ack is null ? new SendClaim(SendClaimStatus.InProgress) : new SendClaim(SendClaimStatus.AlreadySent, entry.Ack));
            }
            _sends[(userId, clientMessageId)] = (null, now + options.Value.DeduplicationWindow);
            return Task.FromResult(new SendClaim(SendClaimStatus.Claimed));
        }
    }

    public Task CompleteAsync(string userId, string clientMessageId, MessageAck ack, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _sends[(userId, clientMessageId)] = (ack, time.GetUtcNow() + options.Value.DeduplicationWindow);
        }
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string userId, string clientMessageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            // Only a claim is given up; a completed send keeps answering with its ack.
            if (_sends.TryGetValue((userId, clientMessageId), out var entry) && entry.Ack is null)
            {
                _sends.Remove((userId, clientMessageId));
            }
        }
        return Task.CompletedTask;
    }

    // Expired entries are dropped at most once per window, so memory stays bounded by one window of sends.
    private void SweepLocked(DateTimeOffset now)
    {
        if (now < _nextSweep)
        {
            return;
        }
        foreach (var key in _sends.Where(pair => pair.Value.Expires <= now).Select(pair => pair.Key).ToList())
        {
            _sends.Remove(key);
        }
        _nextSweep = now + options.Value.DeduplicationWindow;
    }
}
