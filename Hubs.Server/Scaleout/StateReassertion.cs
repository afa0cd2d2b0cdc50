namespace Hubs.Server.Scaleout;

/// <summary>
/// Whether this instance's own shared state (its connections in presence, their rooms, its heartbeat) is known to be
/// in Redis. It is not from the moment the connection to Redis fails, or Redis is found to have forgotten it (restarted
/// empty, flushed, or this instance swept as dead), until <see cref="InstanceJanitor"/> has written it again.
/// Meanwhile the instance reports not ready and a member Redis does not know is told "temporarily unavailable"
/// (<see cref="OutageTolerantRoomMembershipStore"/>), not "not a member".
/// </summary>
/// <remarks>
/// Each request bumps a version, and only the round that started at the latest version clears it: a loss noticed
/// while a re-assertion is already half-way (it may have read the index before the loss) gets a round of its own.
/// </remarks>
internal sealed class StateReassertion(TimeProvider time, ILogger<StateReassertion> logger) : IDisposable
{
    private readonly Lock _lock = new();
    // At most one wake-up queued: several requests before the janitor looks need one round, not several.
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _version;
    private bool _pending;
    private string _reason = "";
    private DateTimeOffset _since;

    public bool Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending;
            }
        }
    }

    /// <summary>Why and since when the state is being re-asserted; <c>null</c> when it is not.</summary>
    public (string Reason, DateTimeOffset Since)? Status
    {
        get
        {
            lock (_lock)
            {
                return _pending ? (_reason, _since) : null;
            }
        }
    }

    /// <summary>The version a re-assertion round starts at (pass it to <see cref="TryComplete"/>).</summary>
    public long Version
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    /// <summary>
    /// The state in Redis may no longer match this instance's; <paramref name="now"/> wakes the janitor at once
    /// (Redis answers again), otherwise its next round or retry does it (Redis is unreachable anyway).
    /// </summary>
    public void Require(string reason, bool now)
    {
        lock (_lock)
        {
            _version++;
            if (!_pending)
            {
                _pending = true;
                _reason = reason;
                _since = time.GetUtcNow();
                ScaleoutLog.ReassertionRequired(logger, reason);
            }
        }
        if (now)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // A wake-up is already queued.
            }
            catch (ObjectDisposedException)
            {
                // Shutting down: no more rounds.
            }
        }
    }

    /// <summary>Clears the pending state if nothing asked again since <paramref name="version"/>.</summary>
    public bool TryComplete(long version)
    {
        lock (_lock)
        {
            if (!_pending || _version != version)
            {
                return false;
            }
            _pending = false;
            ScaleoutLog.Reasserted(logger, _reason, time.GetUtcNow() - _since);
            return true;
        }
    }

    /// <summary>Completes when <see cref="Require"/> asks for a round now.</summary>
    public Task WaitForRequestAsync(CancellationToken cancellationToken) => _wake.WaitAsync(cancellationToken);

    public void Dispose() => _wake.Dispose();
}
