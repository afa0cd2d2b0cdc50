using Hubs.Contracts;
using Hubs.Server.Chat;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Sends (by user and clientMessageId) that this instance claimed or completed while Redis was unreachable, so a
/// resend still gets the original ack; completed ones are copied to Redis once it is back, then forgotten here.
/// </summary>
/// <remarks>Bounded: entries expire with Chat:DeduplicationWindow and at most <see cref="Capacity"/> are kept.</remarks>
internal sealed class OutageSendJournal(IOptions<ChatOptions> options, TimeProvider time)
{
    public const int Capacity = 100_000;

    private readonly Lock _gate = new();
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<(string User, string Id), (MessageAck? Ack, DateTimeOffset Expires)> _sends = [];
    private DateTimeOffset _sweptAt = DateTimeOffset.MinValue;

    /// <summary>What this journal knows about a send, or <c>null</c> when it knows nothing (ask Redis).</summary>
    public SendClaim? Find(string userId, string clientMessageId)
    {
        lock (_gate)
        {
            if (!_sends.TryGetValue((userId, clientMessageId), out var entry) || entry.Expires <= time.GetUtcNow())
            {
                return null;
            }
            return entry.Ack is null ? new SendClaim(SendClaimStatus.InProgress) : new SendClaim(SendClaimStatus.AlreadySent, entry.Ack);
        }
    }

    /// <summary>Whether the journal, not Redis, holds the claim of a send in progress.</summary>
    public bool HoldsClaim(string userId, string clientMessageId)
    {
        lock (_gate)
        {
            return _sends.TryGetValue((userId, clientMessageId), out var entry) && entry.Ack is null;
        }
    }

    /// <summary>Claims a send; "temporarily unavailable" when the journal is full.</summary>
    public SendClaim Claim(string userId, string clientMessageId)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            // Two resends racing past Find must not both be claimed (that would deliver twice).
            if (_sends.TryGetValue((userId, clientMessageId), out var existing) && existing.Expires > now)
            {
                return existing.Ack is null ? new SendClaim(SendClaimStatus.InProgress) : new SendClaim(SendClaimStatus.AlreadySent, existing.Ack);
            }
            if (_sends.Count >= Capacity)
            {
                // Full: sweep out expired entries, but at most once a second, not once per refused send.
                if (now - _sweptAt >= SweepInterval)
                {
                    _sweptAt = now;
                    foreach (var key in _sends.Where(pair => pair.Value.Expires <= now).Select(pair => pair.Key).ToList())
                    {
                        _sends.Remove(key);
                    }
                }
                if (_sends.Count >= Capacity)
                {
                    throw new HubException(RedisUnavailableFilter.Message);
                }
            }
            _sends[(userId, clientMessageId)] = (null, now + options.Value.DeduplicationWindow);
            return new SendClaim(SendClaimStatus.Claimed);
        }
    }

    public void Complete(string userId, string clientMessageId, MessageAck ack)
    {
        lock (_gate)
        {
            _sends[(userId, clientMessageId)] = (ack, time.GetUtcNow() + options.Value.DeduplicationWindow);
        }
    }

    public void Release(string userId, string clientMessageId)
    {
        lock (_gate)
        {
            if (_sends.TryGetValue((userId, clientMessageId), out var entry) && entry.Ack is null)
            {
                _sends.Remove((userId, clientMessageId));
            }
        }
    }

    /// <summary>Completed sends still within the window, with how long they have left; expired ones are dropped.</summary>
    public IReadOnlyList<(string UserId, string ClientMessageId, MessageAck Ack, TimeSpan Remaining)> Completed()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            foreach (var key in _sends.Where(pair => pair.Value.Expires <= now).Select(pair => pair.Key).ToList())
            {
                _sends.Remove(key);
            }
            return [.. _sends.Where(pair => pair.Value.Ack is not null)
                .Select(pair => (pair.Key.User, pair.Key.Id, pair.Value.Ack!, pair.Value.Expires - now))];
        }
    }

    /// <summary>Forgets a completed send once Redis holds its ack.</summary>
    public void Forget(string userId, string clientMessageId, MessageAck ack)
    {
        lock (_gate)
        {
            if (_sends.TryGetValue((userId, clientMessageId), out var entry) && entry.Ack == ack)
            {
                _sends.Remove((userId, clientMessageId));
            }
        }
    }
}
