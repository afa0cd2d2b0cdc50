using System.Threading.RateLimiting;

namespace Hubs.Server.Limits;

/// <summary>What a connection's next call may do.</summary>
internal enum CallVerdict
{
    Allowed,

    /// <summary>Over the rate: refuse this call, keep the connection.</summary>
    Refused,

    /// <summary>Refused too often within the window: the connection is to be closed.</summary>
    Abusive,
}

/// <summary>
/// One connection's calls: a token bucket (<see cref="LimitsOptions.Burst"/>, refilled at
/// <see cref="LimitsOptions.CallsPerPeriod"/> per <see cref="LimitsOptions.RatePeriod"/>) shared by every kind of call,
/// and a count of refusals that, once over <see cref="LimitsOptions.MaxRejectedCalls"/> within
/// <see cref="LimitsOptions.RejectedCallsWindow"/>, marks the connection for closing.
/// </summary>
internal sealed class ConnectionCallBudget : IDisposable
{
    // The hub protocol parses each message of a connection and SignalR dispatches it on the same async flow, so a
    // value set while parsing is what that message's hub filters see. Hub filters have no other way to reach state
    // that the parser (the only code that sees calls of unknown methods) also reaches.
    private static readonly AsyncLocal<ConnectionCallBudget?> s_current = new();

    private readonly TokenBucketRateLimiter _bucket;
    private readonly LimitsOptions _settings;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart;
    private int _rejectionsInWindow;
    private string? _closeReason;

    public ConnectionCallBudget(LimitsOptions settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _windowStart = time.GetUtcNow();
        // No timer per connection: the bucket refills from the elapsed time whenever a call asks for a token.
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = settings.CallsPerPeriod,
            ReplenishmentPeriod = settings.RatePeriod,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
    }

    /// <summary>The budget of the connection whose message is being handled, set by <see cref="CallBudgetHubProtocol"/>.</summary>
    public static ConnectionCallBudget? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>Set once the connection is to be closed: the reason its close message carries.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    public string RefusalMessage =>
        $"Too many calls: at most {_settings.CallsPerPeriod} per {_settings.RatePeriod.TotalSeconds:0.###} s. Slow down and retry.";

    /// <summary>Takes a token for one call and says whether it may run.</summary>
    public CallVerdict Spend()
    {
        _bucket.TryReplenish();
        using var lease = _bucket.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return CallVerdict.Allowed;
        }
        return CountRejection() ? CallVerdict.Abusive : CallVerdict.Refused;
    }

    public void Dispose() => _bucket.Dispose();

    private bool CountRejection()
    {
        if (_settings.MaxRejectedCalls == 0)
        {
            return false;
        }
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now - _windowStart > _settings.RejectedCallsWindow)
            {
                _windowStart = now;
                _rejectionsInWindow = 0;
            }
            if (++_rejectionsInWindow <= _settings.MaxRejectedCalls)
            {
                return false;
            }
            _closeReason ??= $"Closed for flooding: more than {_settings.MaxRejectedCalls} calls over the rate limit within "
                + $"{_settings.RejectedCallsWindow.TotalSeconds:0.###} s.";
            return true;
        }
    }
}
